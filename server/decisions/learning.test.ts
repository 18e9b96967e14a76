import { describe, expect, it } from "vitest";
import { Simulator } from "@/server/journey";
import { cellPrefix, nodeWideBucket, posteriorsFor, sparseBucketBelow, statsUpdates, type DecisionStats } from "./learning";
import { decide, posteriorMean } from "./policies";

const journey = (options: { handle: string; channel: string }[]) => ({
  format: "waymark.journey/v1",
  id: "nba",
  name: "nba",
  settings: { goal: { event: "purchase", within: "P1D" }, timezone: "UTC" },
  nodes: [
    { id: "t", kind: "trigger", config: { event: "visit" } },
    { id: "d", kind: "decision", config: { policy: "bandit", options } },
    ...options.map((o) => ({ id: `m_${o.handle}`, kind: "message", config: { channel: o.channel, template: o.handle } })),
  ],
  edges: [{ from: "t", to: "d" }, ...options.map((o) => ({ from: "d", handle: o.handle, to: `m_${o.handle}` }))],
});

/** Runs n customers; `converts(handle, i)` says whether customer i buys after getting `handle`. */
function run(sim: Simulator, n: number, converts: (handle: string, i: number) => boolean, traits: (i: number) => Record<string, unknown> = () => ({})) {
  const chosen: string[] = [];
  for (let i = 0; i < n; i++) {
    const at = Date.parse("2026-03-02T10:00:00Z") + i * 60_000;
    sim.handle({ type: "identify", userId: `u${i}`, traits: traits(i), timestamp: new Date(at - 1).toISOString() });
    const handle = sim.handle({ type: "track", userId: `u${i}`, event: "visit", timestamp: new Date(at).toISOString() }).find((l) => l.type === "decision")!.handle as string;
    chosen.push(handle);
    if (converts(handle, i)) sim.handle({ type: "track", userId: `u${i}`, event: "purchase", timestamp: new Date(at + 30_000).toISOString() });
  }
  return chosen;
}

describe("bandit learning", () => {
  it("counts a trial per decision on the node-wide row and its context cell, and a success per credited goal", () => {
    const updates = statsUpdates([
      { type: "decision", journey: "j", node: "d", handle: "a", decision: { policy: "bandit", bucket: "channel=email|lifecycle=new" } },
      { type: "decision", journey: "j", node: "d", handle: "fallback", decision: { policy: "bandit", bucket: "channel=email" } },
      { type: "decision", journey: "j", node: "d", handle: "b", decision: { policy: "bandit", bucket: nodeWideBucket } },
      { type: "goal", journey: "j", rewards: [{ node: "d", handle: "a", bucket: "channel=email|lifecycle=new" }] },
    ]);
    expect(updates).toEqual([
      { journey: "j", node: "d", bucket: nodeWideBucket, handle: "a", n: 1, s: 0 },
      { journey: "j", node: "d", bucket: `${cellPrefix}channel=email|lifecycle=new`, handle: "a", n: 1, s: 0 },
      { journey: "j", node: "d", bucket: nodeWideBucket, handle: "b", n: 1, s: 0 },
      { journey: "j", node: "d", bucket: nodeWideBucket, handle: "a", n: 0, s: 1 },
      { journey: "j", node: "d", bucket: `${cellPrefix}channel=email|lifecycle=new`, handle: "a", n: 0, s: 1 },
    ]);
  });

  it("uses the node-wide posterior until the node has context data, then a per-context estimate", () => {
    const stats: DecisionStats = { "j:d": { "*": { a: { n: 40, s: 20 }, b: { n: 40, s: 4 } }, [`${cellPrefix}channel=email`]: { a: { n: sparseBucketBelow - 2, s: 1 }, b: { n: 1, s: 1 } } } };
    const sparse = posteriorsFor(stats, "j", "d", "channel=email", ["a", "b"]);
    expect(sparse.source).toBe("node");
    expect(sparse.posteriors.a).toEqual({ alpha: 21, beta: 21 });
    stats["j:d"]![`${cellPrefix}channel=push`] = { a: { n: 30, s: 18 }, b: { n: 30, s: 1 } };
    const dense = posteriorsFor(stats, "j", "d", "channel=push", ["a", "b"]);
    expect(dense.source).toBe("bucket");
    expect(posteriorMean(dense.posteriors.a!)).toBeGreaterThan(posteriorMean(dense.posteriors.b!));
    // Customers without a known context keep the node-wide view.
    expect(posteriorsFor(stats, "j", "d", nodeWideBucket, ["a"]).posteriors.a!.logit).toBeUndefined();
  });

  it("learns from the goal in the simulator: the converting option wins, deterministically for a seed", () => {
    const doc = journey([{ handle: "a", channel: "email" }, { handle: "b", channel: "push" }]);
    const first = run(new Simulator([doc], { seed: "s" }), 300, (h, i) => h === "b" && i % 2 === 0);
    const late = first.slice(-100);
    expect(late.filter((h) => h === "b").length).toBeGreaterThanOrEqual(85);
    expect(run(new Simulator([doc], { seed: "s" }), 300, (h, i) => h === "b" && i % 2 === 0)).toEqual(first);
  });

  it("learns per context: each customer gets the option that works for their preferred channel", () => {
    const doc = journey([{ handle: "email_offer", channel: "email" }, { handle: "push_nudge", channel: "push" }]);
    const channel = (i: number) => (i % 2 === 0 ? "email" : "push");
    const chosen = run(new Simulator([doc], { seed: "ctx" }), 800, (h, i) => h === `${channel(i)}_${channel(i) === "email" ? "offer" : "nudge"}` && i % 3 !== 0, (i) => ({ preferredChannel: channel(i) }));
    const late = chosen.slice(-200).filter((h, k) => h.startsWith(channel(600 + k))).length;
    expect(late).toBeGreaterThanOrEqual(180);
  });
});

describe("decision policies", () => {
  it("model: takes the model's eligible answer; any failure or ineligible answer falls back with the reason", () => {
    const base = { policy: "model" as const, eligible: ["a", "b"], posteriors: {}, seedParts: ["x"] };
    expect(decide({ ...base, modelChoice: { handle: "b", reason: "model", latencyMs: 12 } })).toMatchObject({ handle: "b", probabilities: { a: 0, b: 1 } });
    expect(decide({ ...base, modelChoice: { handle: "zzz", reason: "model", latencyMs: 12 } })).toMatchObject({ handle: null, reason: "model_ineligible_option" });
    expect(decide({ ...base, modelChoice: { handle: null, reason: "model_timeout", latencyMs: 2000 } })).toMatchObject({ handle: null, reason: "model_timeout" });
    expect(decide(base)).toMatchObject({ handle: null, reason: "model_unavailable" });
  });

  it("bandit: reports a probability of choice for every eligible option, summing to 1, with an exploration floor", () => {
    const r = decide({ policy: "bandit", eligible: ["a", "b", "c"], posteriors: { a: { alpha: 500, beta: 10 }, b: { alpha: 1, beta: 500 }, c: { alpha: 1, beta: 500 } }, seedParts: ["p"] });
    const total = Object.values(r.probabilities).reduce((x, y) => x + y, 0);
    expect(total).toBeCloseTo(1, 9);
    expect(r.probabilities.b).toBeGreaterThan(0);
    expect(r.handle).toBe("a");
  });
});
