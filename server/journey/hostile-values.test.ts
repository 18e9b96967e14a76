import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileJourney } from "./compile";
import { customerStateSchema, type CustomerState } from "./state";
import { orchestrate } from "./step";
import type { StepInput, Timer } from "./step-types";
import { workspaceSettingsSchema } from "./schema";
import { journey } from "./test-helpers";

/**
 * Events carry whatever their senders put in them. Whatever JSON an accepted
 * event holds, the engine must handle it without throwing: the runtime runs a
 * batch of customers in one transaction, so one input that throws would roll
 * back its whole batch, again at every retry, and hold up every customer of
 * the worker's partitions. The values that can make JavaScript throw are
 * objects that cannot be turned into a primitive: `{"toString": 1}` (and
 * arrays holding one) make Number(), String() and template literals throw.
 */
const paths = ["event.properties.v", "traits.t"];
const ops = ["eq", "neq", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "starts_with", "exists", "not_exists"] as const;
const doc = journey(
  "hostile",
  [
    ["t", "trigger", { event: "visit", key: "event.properties.k", where: { any: paths.map((path) => ({ path, op: "neq", value: 3 })) } }],
    ["b", "branch", { cases: ops.flatMap((op, i) => paths.map((path, j) => ({ handle: `c${i}-${j}`, when: { path, op, value: op === "in" || op === "not_in" ? [1, "a"] : op === "contains" || op === "starts_with" ? "a" : 1 } }))) }],
    ["m", "message", { channel: "email", subject: "{{event.properties.v}}", template: "Hi {{traits.t}}, {{event.properties.v}} / {{event.properties.k}}" }],
    ["we", "wait_for_event", { event: "visit", timeout: "PT1H", where: { path: "event.properties.v", op: "gt", value: 0 } }],
    ["n", "negative_trigger", { event: "refund", where: { path: "event.properties.v", op: "lte", value: 10 }, effect: { suppress: "PT1H" }, blockEntryWithin: "PT2H" }],
  ],
  [...ops.flatMap((_, i) => paths.map((__, j) => `b:c${i}-${j}>m`)), "t>b", "b:else>m", "m>we", "we:event>m", "we:timeout>m"],
  { reentry: "always", goal: { event: "buy", within: "P1D" } },
);
const programs = [{ program: compileJourney(doc, 1), acceptsEntries: true }];
const workspace = workspaceSettingsSchema.parse({});

/** Keys that name what JavaScript looks up when it converts a value, with values that are not functions. */
const nastyKey = fc.constantFrom("toString", "valueOf", "__proto__", "constructor", "toJSON", "a");
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(1, 0, -1, 1e300, "1", "a", "", "abc", true, false, null),
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(nastyKey, tie("v"), { maxKeys: 3 }),
  ),
})).v;
// As the API hands them over: parsed from JSON (own "__proto__" keys and all).
const jsonOf = (v: unknown) => JSON.parse(JSON.stringify({ v })).v as unknown;

const input = fc.record({
  type: fc.constantFrom("track", "identify") as fc.Arbitrary<"track" | "identify">,
  name: fc.constantFrom("visit", "refund", "buy"),
  k: value,
  v: value,
  t: value,
  gapMinutes: fc.integer({ min: 0, max: 90 }),
});

describe("hostile values in events", () => {
  it("never make a step throw, and every state they leave is stored and read back as it is", () => {
    fc.assert(
      fc.property(fc.array(input, { minLength: 1, maxLength: 8 }), (events) => {
        let state: CustomerState | null = null;
        let timers: Timer[] = [];
        let clock = Date.parse("2026-03-20T12:00:00Z");
        const apply = (step: StepInput) => {
          const res = orchestrate(programs, state, step, { customerId: "c1", seed: "s", workspace });
          const stored = JSON.parse(JSON.stringify(res.state));
          expect(customerStateSchema.parse(stored)).toEqual(stored);
          state = res.state;
          timers = res.timers;
          return res;
        };
        for (const [i, e] of events.entries()) {
          clock += e.gapMinutes * 60_000;
          for (let due = timers.find((t) => Date.parse(t.dueAt) <= clock); due; due = timers.find((t) => Date.parse(t.dueAt) <= clock)) {
            apply("score" in due ? { kind: "score", at: due.dueAt } : { kind: "timer", instanceId: due.instanceId, seq: due.seq, at: due.dueAt });
          }
          const properties = jsonOf({ k: e.k, v: e.v }) as Record<string, unknown>;
          apply({ kind: "event", event: { id: `e${i}`, type: e.type, name: e.name, properties, traits: jsonOf({ t: e.t }) as Record<string, unknown>, timestamp: new Date(clock).toISOString() } });
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a value that JavaScript cannot convert keys its instance by its JSON and renders as JSON", () => {
    const poison = JSON.parse('{"toString": 1}') as unknown;
    const res = orchestrate(programs, null, { kind: "event", event: { id: "e1", type: "track", name: "visit", properties: { k: poison, v: [poison] }, traits: {}, timestamp: "2026-03-20T12:00:00.000Z" } }, { customerId: "c1", seed: "s", workspace });
    expect(res.state.instances.map((i) => i.key)).toEqual(['{"toString":1}']);
    expect(res.effects.filter((e) => e.type === "node").map((e) => e.node)).toEqual(["t", "b", "m", "we"]);
    expect(res.effects.find((e) => e.type === "message")?.message?.body).toBe('Hi , [{"toString":1}] / {"toString":1}');
  });

  it("a trait named __proto__ is a trait: the profile keeps its prototype, and nothing reads through it", () => {
    const vip = compileJourney(
      journey("vip", [["t", "trigger", { event: "signup" }], ["b", "branch", { cases: [{ handle: "vip", when: { path: "traits.vip", op: "eq", value: true } }] }], ["m1", "message", { channel: "email", template: "VIP {{traits.vip}}" }], ["m2", "message", { channel: "email", template: "plain {{traits.vip}}" }]], ["t>b", "b:vip>m1", "b:else>m2"]),
      1,
    );
    const traits = JSON.parse('{"email": "a@b.c", "__proto__": {"vip": true, "unsubscribed": true}}') as Record<string, unknown>;
    const res = orchestrate([{ program: vip, acceptsEntries: true }], null, { kind: "event", event: { id: "e1", type: "identify", name: "signup", properties: {}, traits, timestamp: "2026-03-20T12:00:00.000Z" } }, { customerId: "c1", seed: "s", workspace });
    expect(res.effects.find((e) => e.type === "message")?.message?.body).toBe("plain ");
    expect(Object.getPrototypeOf(res.state.traits)).toBe(Object.prototype);
    // Kept as data, as it is once stored.
    expect(JSON.parse(JSON.stringify(res.state.traits))).toEqual(traits);
  });
});
