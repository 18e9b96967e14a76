import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileJourney } from "./compile";
import { durationMs, parseDuration } from "./durations";
import { customerStateSchema, type CustomerState } from "./state";
import { orchestrate } from "./step";
import type { EngineEvent, StepInput, Timer } from "./step-types";
import { workspaceSettingsSchema } from "./schema";
import { journey } from "./test-helpers";

/** A journey with every guardrail at once: caps, quiet hours, a suppressing negative trigger, a holdout, a loop through a wait. */
const doc = journey(
  "prop",
  [
    ["t", "trigger", { event: "visit" }],
    ["m1", "message", { channel: "email", template: "one" }],
    ["w", "wait", { for: "PT3H" }],
    ["b", "branch", { cases: [{ handle: "vip", when: { path: "event.properties.n", op: "gte", value: 5 } }] }],
    ["m2", "message", { channel: "sms", template: "two" }],
    ["n", "negative_trigger", { event: "refund", effect: { suppress: "PT12H" } }],
    ["x", "negative_trigger", { event: "complaint" }],
    ["g", "guardrail", { frequencyCap: [{ channel: "any", max: 2, per: "P1D" }, { channel: "sms", max: 1, per: "PT6H" }], quietHours: { start: "23:00", end: "06:00" } }],
  ],
  ["t>m1", "m1>w", "w>b", "b:vip>m2", "b:else>m1"],
  { holdoutPercent: 30, reentry: "always", goal: { event: "buy", within: "P2D", exitOnGoal: true } },
);
const program = compileJourney(doc, 1);
const programs = [{ program, acceptsEntries: true }];
const workspace = workspaceSettingsSchema.parse({ frequencyCap: [{ channel: "any", max: 3, per: "P1D" }], globalHoldoutPercent: 5 });

const eventArb = fc.record({
  name: fc.constantFrom("visit", "refund", "complaint", "buy", "other"),
  gapMinutes: fc.integer({ min: 0, max: 600 }),
  n: fc.integer({ min: 0, max: 9 }),
});

/** Runs a customer's events (and every due timer, in time order) through orchestrate, checking invariants after each input. */
function run(customerId: string, seed: string, raw: { name: string; gapMinutes: number; n: number }[]) {
  let state: CustomerState | null = null;
  let timers: Timer[] = [];
  let clock = Date.parse("2026-03-20T12:00:00Z");
  const effects: ReturnType<typeof orchestrate>["effects"] = [];
  const suppressedSends: string[] = [];
  const apply = (input: StepInput) => {
    const before = new Map((state?.instances ?? []).map((i) => [i.id, i.suppressUntil]));
    const given = structuredClone(state);
    const res = orchestrate(programs, state, input, { customerId, seed, workspace });
    // Pure: the state handed in is left exactly as it was (the runtime re-runs a batch on the same states).
    expect(state).toEqual(given);
    // A message may not go out while its instance is inside a suppress window (as it stood before or after this input).
    for (const e of res.effects.filter((x) => x.type === "message")) {
      const after = res.state.instances.find((i) => i.id === e.instance)?.suppressUntil ?? null;
      for (const until of [before.get(e.instance!) ?? null, after]) if (until && until > e.t) suppressedSends.push(e.t);
    }
    // Stored as JSON and read back, the state is what the schema makes of it: the runtime may take it as it is (readStoredState).
    const stored = JSON.parse(JSON.stringify(res.state));
    expect(customerStateSchema.parse(stored)).toEqual(stored);
    state = res.state;
    timers = res.timers;
    effects.push(...res.effects);
    // Invariant: every instance is waiting (on a timer or an event) after each input; exited ones are gone.
    for (const inst of res.state.instances) expect(inst.waiting, `instance ${inst.id} neither waits nor exited`).not.toBeNull();
  };
  const fireUntil = (until: number) => {
    for (;;) {
      const next = [...timers].sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
      if (!next || Date.parse(next.dueAt) > until) return;
      apply("score" in next ? { kind: "score", at: next.dueAt } : { kind: "timer", instanceId: next.instanceId, seq: next.seq, at: next.dueAt });
    }
  };
  raw.forEach((e, i) => {
    clock += e.gapMinutes * 60_000;
    fireUntil(clock);
    const event: EngineEvent = { id: `e${i}`, type: "track", name: e.name, properties: { n: e.n }, traits: {}, timestamp: new Date(clock).toISOString() };
    apply({ kind: "event", event });
  });
  fireUntil(clock + 7 * 24 * 3600_000);
  return { effects, suppressedSends, state: state as CustomerState | null };
}

describe("engine invariants (property-based)", () => {
  const customers = fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.array(eventArb, { minLength: 1, maxLength: 40 }));

  it("is deterministic: the same inputs give the same outputs", () => {
    fc.assert(
      fc.property(customers, ([id, events]) => {
        expect(run(id, "s", events)).toEqual(run(id, "s", events));
      }),
      { numRuns: 60 },
    );
  });

  it("never sends inside a suppress window, never over a cap, and never to a holdout", () => {
    fc.assert(
      fc.property(customers, ([id, events]) => {
        const { effects, suppressedSends } = run(id, "s", events);
        const sent = effects.filter((e) => e.type === "message");
        expect(suppressedSends).toEqual([]);
        for (const m of sent) expect(m.group).toBe("treatment");
        // Exact sliding windows: replay the sends and check no cap is ever exceeded.
        const caps = [...workspace.frequencyCap, ...program.caps];
        for (const cap of caps) {
          const ms = durationMs(parseDuration(cap.per)!);
          const times = sent.filter((m) => cap.channel === "any" || m.channel === cap.channel).map((m) => Date.parse(m.t));
          for (const t of times) expect(times.filter((x) => x > t - ms && x <= t).length).toBeLessThanOrEqual(cap.max);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("gives holdout entrants no message, no decision and no profile change", () => {
    fc.assert(
      fc.property(customers, ([id, events]) => {
        const { effects } = run(id, "seed-2", events);
        const holdout = new Set(effects.filter((e) => e.type === "enter" && e.group !== "treatment").map((e) => e.instance));
        expect(effects.filter((e) => holdout.has(e.instance) && ["message", "decision", "node"].includes(e.type))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
