import { describe, expect, it } from "vitest";
import { compileJourney } from "./compile";
import type { CustomerState } from "./state";
import { orchestrate } from "./step";
import type { LiveProgram, StepContext, StepInput } from "./step-types";
import { workspaceSettingsSchema } from "./schema";
import { journey } from "./test-helpers";

/**
 * One journey's failure is its own: when its part of a step throws, the input
 * is handled as if that journey were not there (its instances frozen as they
 * were, no entry), the other journeys go on, and the failure is reported with
 * the journey. What throws outside any journey still throws.
 */
const ctx: StepContext = { customerId: "c1", seed: "s", workspace: workspaceSettingsSchema.parse({}) };
const at = (t: string): StepInput => ({ kind: "event", event: { id: `e-${t}`, type: "track", name: "buy", properties: { total: 120 }, traits: {}, timestamp: t } });

/** "a": buy → wait a day → message, goal `buy`; "b": buy → message. Compiled afresh per test (some tests break one). */
function programs(): { a: LiveProgram; b: LiveProgram } {
  const a = compileJourney(journey("a", [["t", "trigger", { event: "buy" }], ["w", "wait", { for: "P1D" }], ["m", "message", { channel: "email", template: "A" }]], ["t>w", "w>m"], { reentry: "always", goal: { event: "order", within: "P7D", exitOnGoal: true } }), 3);
  const b = compileJourney(journey("b", [["t", "trigger", { event: "buy" }], ["m", "message", { channel: "push", template: "B" }]], ["t>m"], { reentry: "always" }), 5);
  return { a: { program: a, acceptsEntries: true }, b: { program: b, acceptsEntries: true } };
}
const boom = () => {
  throw new Error("boom");
};
const frozen = <T>(v: T): T => {
  if (v && typeof v === "object") {
    for (const x of Object.values(v)) frozen(x);
    Object.freeze(v);
  }
  return v;
};

describe("a journey whose part of a step throws", () => {
  it("is left out of that step: the other journeys go on exactly as they would without it, and the failure names it", () => {
    const { a, b } = programs();
    a.program.triggers[0]!.where = boom;
    const res = orchestrate([a, b], null, at("2026-05-04T10:00:00.000Z"), ctx);
    const alone = orchestrate([b], null, at("2026-05-04T10:00:00.000Z"), ctx);
    expect(res.failures).toHaveLength(1);
    expect(res.failures[0]).toMatchObject({ journey: "a", version: 3 });
    expect(String(res.failures[0]!.error)).toMatch(/boom/);
    expect(res.effects).toEqual(alone.effects);
    expect(res.effects.filter((e) => e.type === "message").map((e) => e.journey)).toEqual(["b"]);
    expect(res.state).toEqual(alone.state);
    expect(res.state.journeys.a).toBeUndefined();
  });

  it("keeps its instances as they were (and their timers), from an instance stored in a shape this version cannot handle", () => {
    const { a, b } = programs();
    // In journey a, waiting; its `decisions` are missing (so a's goal handling throws on the goal event).
    const first = orchestrate([a], null, at("2026-05-04T10:00:00.000Z"), ctx).state;
    const { decisions: _dropped, ...broken } = first.instances[0]!;
    const stateIn = frozen({ ...first, instances: [broken] } as unknown as CustomerState);
    const before = JSON.stringify(stateIn);
    const order: StepInput = { kind: "event", event: { id: "o1", type: "track", name: "order", properties: {}, traits: {}, timestamp: "2026-05-04T12:00:00.000Z" } };
    const bOrder = { ...b, program: compileJourney(journey("b", [["t", "trigger", { event: "order" }], ["m", "message", { channel: "push", template: "B" }]], ["t>m"]), 5) };
    const res = orchestrate([a, bOrder], stateIn, order, ctx);
    expect(res.failures.map((f) => [f.journey, f.version])).toEqual([["a", 3]]);
    expect(String(res.failures[0]!.error)).toMatch(/TypeError/);
    expect(res.state.instances).toEqual(stateIn.instances);
    expect(res.timers.filter((t) => "instanceId" in t).map((t) => t.instanceId)).toEqual([broken.id]);
    expect(res.effects.map((e) => [e.journey, e.type])).toEqual([["b", "enter"], ["b", "node"], ["b", "node"], ["b", "message"], ["b", "exit"]]);
    expect(JSON.stringify(stateIn)).toBe(before);
  });

  it("fails alone on its timer too: the instance still waits, due as before", () => {
    const { a, b } = programs();
    const first = orchestrate([a, b], null, at("2026-05-04T10:00:00.000Z"), ctx);
    const timer = first.timers.find((t) => "instanceId" in t)!;
    // The wait's way on breaks.
    Object.defineProperty(a.program.nodes.get("w")!, "next", { get: boom });
    const input: StepInput = { kind: "timer", instanceId: (timer as { instanceId: string }).instanceId, seq: (timer as { seq: number }).seq, at: timer.dueAt };
    const res = orchestrate([a, b], first.state, input, ctx);
    expect(res.failures.map((f) => f.journey)).toEqual(["a"]);
    expect(res.effects).toEqual([]);
    expect(res.state.instances).toEqual(first.state.instances);
    expect(res.timers.find((t) => t.key === timer.key)?.dueAt).toBe(timer.dueAt);
  });

  it("leaves out each journey that fails, and still throws what is no journey's (a state that is not one)", () => {
    const { a, b } = programs();
    a.program.triggers[0]!.where = boom;
    b.program.triggers[0]!.where = boom;
    const res = orchestrate([a, b], null, at("2026-05-04T10:00:00.000Z"), ctx);
    expect(res.failures.map((f) => f.journey).sort()).toEqual(["a", "b"]);
    expect(res.effects).toEqual([]);
    expect(() => orchestrate([programs().a], { instances: 5 } as unknown as CustomerState, at("2026-05-04T10:00:00.000Z"), ctx)).toThrow(TypeError);
  });

  it("fails only its journey on other shapes this version cannot handle: a wait with no end, a stay with no path, a goal watch with no deadline", () => {
    const { a, b } = programs();
    const first = orchestrate([a], null, at("2026-05-04T10:00:00.000Z"), ctx).state;
    const inst = first.instances[0]!;
    const odd = frozen({
      ...first,
      instances: [{ ...inst, waiting: { kind: "wait" } }, { ...inst, id: "a:c1:9", path: undefined }],
      goalWatch: [{ instance: "a:c1:0", journey: "a", version: 3, group: "treatment", goalBy: null, decisions: [], enteredAt: inst.enteredAt }],
    } as unknown as CustomerState);
    // Its timer: a's failure, not the whole input's.
    const timer = orchestrate([a, b], odd, { kind: "timer", instanceId: inst.id, seq: inst.seq, at: "2026-05-05T10:00:00.000Z" }, ctx);
    expect(timer.failures.map((f) => f.journey)).toEqual(["a"]);
    expect(timer.state.instances).toEqual(odd.instances);
    // A `buy`: both journeys take new entries (a's odd stays are not touched by it); the stay without a path and the
    // watch without a deadline are kept as they are (the state's pruning used to throw on the watch).
    const res = orchestrate([a, b], odd, at("2026-05-04T11:00:00.000Z"), ctx);
    expect(res.failures).toEqual([]);
    expect(res.effects.filter((e) => e.type === "enter").map((e) => e.journey)).toEqual(["a", "b"]);
    expect(res.state.instances.slice(0, 2)).toEqual(odd.instances);
    expect(res.state.goalWatch).toEqual(odd.goalWatch);
    // a's goal (`order`) reaches the watch without a deadline: a fails alone.
    const order = orchestrate([a, b], odd, { kind: "event", event: { id: "o", type: "track", name: "order", properties: {}, traits: {}, timestamp: "2026-05-04T11:00:00.000Z" } }, ctx);
    expect(order.failures.map((f) => f.journey)).toEqual(["a"]);
    // An event no journey takes: nothing fails.
    const quiet = orchestrate([a, b], odd, { kind: "event", event: { id: "v", type: "track", name: "visit", properties: {}, traits: {}, timestamp: "2026-05-04T11:00:00.000Z" } }, ctx);
    expect(quiet.failures).toEqual([]);
    expect(quiet.state.instances).toEqual(odd.instances);
  });

  it("leaves out only the version that failed: stays pinned to an old version do not keep the live one from taking entries", () => {
    const { a } = programs();
    const first = orchestrate([a], null, at("2026-05-04T10:00:00.000Z"), ctx).state;
    const { decisions: _dropped, ...broken } = first.instances[0]!;
    const stateIn = frozen({ ...first, instances: [broken] } as unknown as CustomerState);
    // Version 4 of a, a repair published meanwhile: it takes entries on `order`, a's goal (whose handling fails on version 3's stay).
    const v4 = compileJourney(journey("a", [["t", "trigger", { event: "order" }], ["m", "message", { channel: "email", template: "A4" }]], ["t>m"], { reentry: "always", goal: { event: "order", within: "P7D", exitOnGoal: true } }), 4);
    const live: LiveProgram[] = [{ program: a.program, acceptsEntries: false }, { program: v4, acceptsEntries: true }];
    const res = orchestrate(live, stateIn, { kind: "event", event: { id: "o1", type: "track", name: "order", properties: {}, traits: {}, timestamp: "2026-05-04T12:00:00.000Z" } }, ctx);
    expect(res.failures.map((f) => [f.journey, f.version])).toEqual([["a", 3]]);
    expect(res.state.instances[0]).toEqual(broken);
    expect(res.effects.filter((e) => e.type === "message").map((e) => [e.journey, e.version])).toEqual([["a", 4]]);
  });

  it("reports no failure when nothing throws", () => {
    const { a, b } = programs();
    expect(orchestrate([a, b], null, at("2026-05-04T10:00:00.000Z"), ctx).failures).toEqual([]);
  });
});
