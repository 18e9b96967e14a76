import { describe, expect, it } from "vitest";
import { Simulator } from "@/server/journey/simulate";
import { journeyTemplates } from "@/server/journey/templates";
import { copyActivity, defaultScoringSettings, emptyActivity, featuresAt, onEvent, onTick, type Activity } from "./activity";
import { addDeltas, learn, predict, predictAll, type ScoreExample, type ScoreModels, type ScoreName } from "./model";

const day = 24 * 3600 * 1000;
const t0 = Date.parse("2026-03-02T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();
const track = (name: string, ms: number, properties: Record<string, unknown> = {}) => ({ name, type: "track", properties, timestamp: iso(ms) });

/** Drives one customer's activity through events and the scoring ticks between them, as the engine does; returns the labelled examples. */
function drive(events: { name: string; ms: number; properties?: Record<string, unknown> }[], untilMs: number, models?: ScoreModels): { examples: ScoreExample[]; activity: Activity } {
  const a = emptyActivity();
  const examples: ScoreExample[] = [];
  const ticksUntil = (ms: number) => {
    while (a.nextAt !== null && a.nextAt <= ms) examples.push(...onTick(a, a.nextAt, defaultScoringSettings, models).examples);
  };
  for (const e of [...events].sort((x, y) => x.ms - y.ms)) {
    ticksUntil(e.ms);
    examples.push(...onEvent(a, track(e.name, e.ms, e.properties), defaultScoringSettings, models).examples);
  }
  ticksUntil(untilMs);
  return { examples, activity: a };
}

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A population the priors get wrong: half are weekly buyers who do little else
 * (they buy again within the purchase window almost surely), half browse every
 * day and never buy. Everyone stops after a random number of weeks.
 */
function population(n: number, seed: number) {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, (_, c) => {
    const start = t0 + Math.floor(rnd() * 10) * day + Math.floor(rnd() * 8) * 3600_000;
    const weeks = 3 + Math.floor(rnd() * 6);
    const events: { name: string; ms: number; properties?: Record<string, unknown> }[] = [];
    if (c % 2 === 0) {
      for (let d = 0; d < weeks * 7; d += 5 + Math.floor(rnd() * 2)) events.push({ name: "order_completed", ms: start + d * day, properties: { total: 30 + Math.floor(rnd() * 40) } });
    } else {
      for (let d = 0; d < weeks * 7; d++) events.push({ name: "page_viewed", ms: start + d * day + Math.floor(rnd() * 3600_000) });
    }
    return events;
  });
}

function logLoss(name: ScoreName, models: ScoreModels | undefined, examples: ScoreExample[]): number {
  const own = examples.filter((e) => e.score === name);
  const sum = own.reduce((s, e) => {
    const p = Math.min(1 - 1e-9, Math.max(1e-9, predict(name, models?.[name], e.x)));
    return s - (e.y ? Math.log(p) : Math.log(1 - p));
  }, 0);
  return sum / own.length;
}

describe("predictive scores", () => {
  it("a customer's first event (computed without the general path) leaves exactly what the general path leaves", () => {
    // The general path runs for an activity stored in the older format (days as a record), the first-event path for [].
    const settings = [defaultScoringSettings, { ...defaultScoringSettings, churnDays: 1, purchaseDays: 1 }, { ...defaultScoringSettings, churnDays: 60, purchaseDays: 3 }];
    const models: ScoreModels = {};
    learn(models, [{ score: "churnRisk", x: [1, 0.5, 0.2, 0, 0.1, 0], y: 1 }]);
    for (const ms of [t0, t0 + 123_456_789, 0, -86_400_001, Date.parse("9999-12-31T23:59:59.999Z")]) {
      for (const s of settings) {
        for (const m of [undefined, models]) {
          const first = emptyActivity();
          const general: Activity = { ...emptyActivity(), days: {} };
          const a = onEvent(first, track("page_viewed", ms), s, m);
          const b = onEvent(general, track("page_viewed", ms), s, m);
          expect(a).toEqual(b);
          expect(first).toEqual(general);
        }
      }
    }
  });

  it("reads activity days stored in the earlier record formats (d-prefixed or bare keys, alone or mixed) as it reads pairs", () => {
    const { activity } = drive([{ name: "visit", ms: t0 - 20 * day }, { name: "visit", ms: t0 - 3 * day }, { name: "visit", ms: t0 - 3 * day + 1000 }, { name: "order_completed", ms: t0 - day, properties: { total: 80 } }], t0 - day);
    const d = (ms: number) => Math.floor(ms / day);
    expect(activity.days).toEqual([d(t0 - 20 * day), 1, d(t0 - 3 * day), 2, d(t0 - day), 1]);
    const pairs = activity.days as number[];
    const record: Record<string, number> = {};
    for (let i = 0; i < pairs.length; i += 2) record[`d${pairs[i]}`] = pairs[i + 1]!;
    const prefixed: Activity = { ...activity, days: record };
    const bare: Activity = { ...activity, days: Object.fromEntries(Object.entries(record).map(([k, n]) => [k.slice(1), n])) };
    expect(featuresAt(prefixed, t0)).toEqual(featuresAt(activity, t0));
    expect(featuresAt(bare, t0)).toEqual(featuresAt(activity, t0));
    // An old state whose day holds counts under both keys counts both.
    const [firstKey, firstCount] = Object.entries(record)[0]!;
    const mixed: Activity = { ...activity, days: { ...record, [firstKey]: 1, [firstKey.slice(1)]: firstCount - 1 } };
    expect(featuresAt(mixed, t0)).toEqual(featuresAt(activity, t0));
    // The next event rewrites the old format as pairs; days past the history age out.
    const aged = structuredClone(bare);
    onEvent(aged, track("visit", t0 + 40 * day), defaultScoringSettings, undefined);
    expect(aged.days).toEqual([d(t0 + 40 * day), 1]);
    const next = structuredClone(prefixed);
    onEvent(next, track("visit", t0 - day + 5000), defaultScoringSettings, undefined);
    expect(next.days).toEqual([d(t0 - 20 * day), 1, d(t0 - 3 * day), 2, d(t0 - day), 2]);
  });

  it("counts an event of an earlier day in that day's place", () => {
    const a = emptyActivity();
    for (const ms of [t0 + 5 * day, t0 + 2 * day, t0 + 5 * day + 10, t0 + 3 * day, t0 + 2 * day + 1]) onEvent(a, track("visit", ms), defaultScoringSettings, undefined);
    const d = (ms: number) => Math.floor(ms / day);
    expect(a.days).toEqual([d(t0 + 2 * day), 2, d(t0 + 3 * day), 1, d(t0 + 5 * day), 2]);
  });

  it("a copy's changes do not reach the original", () => {
    const { activity } = drive([{ name: "visit", ms: t0 }, { name: "order_completed", ms: t0 + 1000, properties: { total: 5 } }], t0 + 1000);
    const before = structuredClone(activity);
    const copy = copyActivity(activity);
    onEvent(copy, track("visit", t0 + day), defaultScoringSettings, undefined);
    onEvent(copy, track("order_completed", t0 + 9 * day, { total: 1 }), defaultScoringSettings, undefined);
    expect(activity).toEqual(before);
    expect(copy).not.toEqual(before);
  });

  it("before any data, the priors read behaviour the way a marketer would", () => {
    const active = drive([0, 1, 2, 3, 4, 5, 6].map((d) => ({ name: "page_viewed", ms: t0 + d * day })), t0 + 6 * day).activity;
    const now = predictAll(undefined, featuresAt(active, t0 + 6 * day));
    const silent2w = predictAll(undefined, featuresAt(active, t0 + 20 * day));
    expect(now.churnRisk).toBeLessThan(0.3);
    expect(silent2w.churnRisk).toBeGreaterThan(0.7);
    // Churn risk only rises as a silence goes on.
    const byDay = [7, 9, 12, 16, 25].map((d) => predictAll(undefined, featuresAt(active, t0 + d * day)).churnRisk);
    expect([...byDay].sort((a, b) => a - b)).toEqual(byDay);
    // A frequent, recent buyer is likelier to buy than a one-off visitor.
    const buyer = drive([0, 3, 6, 9].map((d) => ({ name: "order_completed", ms: t0 + d * day, properties: { total: 80 } })), t0 + 9 * day).activity;
    const visitor = drive([{ name: "page_viewed", ms: t0 }], t0).activity;
    expect(predictAll(undefined, featuresAt(buyer, t0 + 9 * day)).purchasePropensity).toBeGreaterThan(predictAll(undefined, featuresAt(visitor, t0)).purchasePropensity + 0.2);
  });

  it("predictAll gives predict's rounded scores for the same features again after learn() changed the models in place", () => {
    const models: ScoreModels = {};
    const x = featuresAt(drive([{ name: "visit", ms: t0 }], t0).activity, t0);
    const rounded = (name: ScoreName) => Math.round(predict(name, models[name], x) * 1000) / 1000;
    for (let i = 0; i < 5; i++) {
      expect(predictAll(models, x)).toEqual({ churnRisk: rounded("churnRisk"), purchasePropensity: rounded("purchasePropensity") });
      expect(predictAll(models, x)).toEqual(predictAll(models, [...x]));
      learn(models, [{ score: "churnRisk", x, y: 1 }, { score: "purchasePropensity", x, y: 1 }]);
    }
    expect(predictAll(models, x)).not.toEqual(predictAll(undefined, x));
  });

  it("labels snapshots by what happened in their windows, each only when its window closes", () => {
    // Active on day 0, ticks on days 1 and 2, a purchase on day 2.5, then silence for good.
    const emitted: { e: ScoreExample; at: number }[] = [];
    const a = emptyActivity();
    const collect = (at: number, list: ScoreExample[]) => emitted.push(...list.map((e) => ({ e, at })));
    collect(t0, onEvent(a, track("page_viewed", t0), defaultScoringSettings, undefined).examples);
    while (a.nextAt !== null && a.nextAt <= t0 + 2.5 * day) collect(a.nextAt, onTick(a, a.nextAt, defaultScoringSettings, undefined).examples);
    collect(t0 + 2.5 * day, onEvent(a, track("order_completed", t0 + 2.5 * day, { total: "42.5" }), defaultScoringSettings, undefined).examples);
    // Nothing is known yet: every window is still open.
    expect(emitted).toEqual([]);
    while (a.nextAt !== null && a.nextAt <= t0 + 80 * day) collect(a.nextAt, onTick(a, a.nextAt, defaultScoringSettings, undefined).examples);

    const of = (score: ScoreName, y: 0 | 1) => emitted.filter((x) => x.e.score === score && x.e.y === y);
    // Days 0, 1, 2: not churned (the purchase came), and bought within 7 days.
    expect(of("churnRisk", 0).map((x) => (x.e.since! - t0) / day)).toEqual([0, 1, 2]);
    expect(of("purchasePropensity", 1).map((x) => (x.e.since! - t0) / day)).toEqual([0, 1, 2]);
    // After the purchase (its day already had a snapshot): one per silent day up to 30 days: all churned, none bought.
    expect(of("churnRisk", 1)).toHaveLength(30);
    expect(of("purchasePropensity", 0)).toHaveLength(30);
    // Each example comes exactly when its window closes: 14 days for churn, 7 for a purchase.
    for (const { e, at } of emitted) expect((at - e.since!) / day).toBe(e.score === "churnRisk" ? 14 : 7);
    // Everything got a label, and the ticks stopped.
    expect(a.pending).toEqual([]);
    expect(a.nextAt).toBeNull();
    expect(a.buys).toEqual([]); // older than the 28-day history by the end
  });

  it("learns online: on customers the priors misjudge, the learned model predicts fresh customers much better", () => {
    const models: ScoreModels = {};
    for (const events of population(400, 1)) learn(models, drive(events, t0 + 120 * day).examples);
    const test = population(200, 2).flatMap((events) => drive(events, t0 + 120 * day).examples);
    const prior = { churn: logLoss("churnRisk", undefined, test), buy: logLoss("purchasePropensity", undefined, test) };
    const learned = { churn: logLoss("churnRisk", models, test), buy: logLoss("purchasePropensity", models, test) };
    expect(learned.buy).toBeLessThan(prior.buy * 0.6);
    expect(learned.churn).toBeLessThan(prior.churn * 0.8);
    expect(models.purchasePropensity!.examples).toBeGreaterThan(5000);
  });

  it("increments learned by one worker add up to the same model when stored and read back", () => {
    const examples = population(20, 3).flatMap((events) => drive(events, t0 + 120 * day).examples);
    const live: ScoreModels = {};
    const deltas = learn(live, examples);
    const stored: ScoreModels = {};
    addDeltas(stored, deltas);
    expect(stored).toEqual(live);
  });

  it("a predictive trigger fires on the daily tick when churn risk crosses its threshold, and not for an active customer", () => {
    const churn = journeyTemplates.find((t) => t.id === "churn-prevention")!.document;
    const sim = new Simulator([churn]);
    const lines = sim.handle({ userId: "quiet", event: "session_started", timestamp: iso(t0) });
    const risk: number[] = [];
    for (let d = 0; d < 20; d++) {
      lines.push(...sim.handle({ userId: "busy", event: "session_started", timestamp: iso(t0 + d * day) }));
      risk.push(sim.stateOf("quiet")!.lastScores.churnRisk ?? 0);
    }
    const entered = lines.filter((l) => l.type === "enter");
    expect(entered.map((l) => l.userId)).toEqual(["quiet"]);
    // On a whole day after the last activity (a tick, not an event), the first day its churn risk reached 0.7.
    const after = (Date.parse(entered[0]!.t) - t0) / day;
    expect(Number.isInteger(after)).toBe(true);
    expect(after).toBeGreaterThanOrEqual(3);
    expect(after).toBeLessThanOrEqual(10);
    expect(risk[after - 1]).toBeLessThan(0.7);
    expect(risk[after]).toBeGreaterThanOrEqual(0.7);
    expect(sim.stateOf("busy")!.lastScores.churnRisk).toBeLessThan(0.5);
  });
});
