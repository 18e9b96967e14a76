import { describe, expect, it } from "vitest";
import { journeyTemplates } from "./templates";
import { journey } from "./test-helpers";
import { validateJourney } from "./validate";

const codes = (input: unknown) => validateJourney(input).map((i) => `${i.severity}:${i.code}${i.nodeId ? `@${i.nodeId}` : ""}`);

describe("validateJourney", () => {
  it("accepts the four templates without any finding", () => {
    for (const t of journeyTemplates) expect(validateJourney(t.document), t.id).toEqual([]);
  });

  it("accepts a minimal document and fills the defaults", () => {
    expect(codes(journey("min", [["t", "trigger", { event: "x" }]], []))).toEqual(["warning:missing_edge@t"]);
  });

  it("explains a wait without a duration in plain words", () => {
    const issues = validateJourney(journey("j", [["t", "trigger", { event: "x" }], ["w1", "wait", {}]], ["t>w1"]));
    expect(issues).toContainEqual({ nodeId: "w1", code: "invalid_config", severity: "error", message: "Wait 'w1' has no duration: set for (e.g. PT1H) or until (a time, or best_time)" });
  });

  it("never throws on garbage, and says what is wrong", () => {
    for (const bad of [null, 42, "x", [], {}, { format: "nope" }, { format: "waymark.journey/v1", id: "A B", name: "", nodes: "x", edges: [] }]) {
      const issues = validateJourney(bad);
      expect(issues.length).toBeGreaterThan(0);
      expect(issues.every((i) => i.severity === "error" && i.message.length > 0)).toBe(true);
    }
  });

  it("reports unknown kinds and fields, duplicate ids, bad edges and handles", () => {
    const doc = journey(
      "j",
      [
        ["t", "trigger", { event: "x", colour: "red" }],
        ["t2", "trigger", { event: "y" }],
        ["t2", "wait", { for: "PT1H" }],
        ["m", "mystery", {}],
        ["b", "branch", { cases: [{ handle: "yes", when: { path: "event.properties.a", op: "eq", value: 1 } }] }],
      ],
      ["t2>b", "b:maybe>t2", "b:yes>ghost"],
    );
    const found = codes(doc);
    expect(found).toContain("error:unknown_field@t");
    expect(found).toContain("error:duplicate_id@t2");
    expect(found).toContain("error:unknown_kind@m");
    expect(found).toContain("error:unknown_handle@b");
    expect(found).toContain("error:edge_missing_node@b");
    expect(codes({ ...doc, extra: 1 })).toContain("error:unknown_field");
  });

  it("requires a trigger, reachability, split percents of 100, durations and known condition roots", () => {
    expect(codes(journey("j", [["w", "wait", { for: "PT1H" }]], []))).toEqual(expect.arrayContaining(["error:no_trigger", "error:unreachable@w"]));
    const doc = journey(
      "j",
      [
        ["t", "trigger", { event: "x", where: { path: "user.plan", op: "eq", value: 1 } }],
        ["s", "split", { variants: [{ handle: "a", percent: 60 }, { handle: "b", percent: 30 }] }],
        ["w", "wait", { for: "1 hour" }],
        ["lonely", "exit", {}],
      ],
      ["t>s", "s:a>w", "s:b>w"],
    );
    expect(codes(doc)).toEqual(expect.arrayContaining(["error:unknown_path_root@t", "error:split_percent@s", "error:invalid_config@w", "error:unreachable@lonely"]));
  });

  it("refuses a loop with no wait, and accepts one through a wait", () => {
    const loop = (middle: [string, string, Record<string, unknown>]) =>
      journey("j", [["t", "trigger", { event: "x" }], ["b", "branch", { cases: [{ handle: "again", when: { path: "traits.a", op: "exists" } }] }], middle], ["t>b", "b:again>m", "m>b", "b:else>m"]);
    expect(codes(loop(["m", "update_profile", { set: { a: 1 } }]))).toContain("error:instant_cycle@b");
    // Steps named as the canvas names them, not by their ids.
    expect(validateJourney(loop(["m", "update_profile", { set: { a: 1 } }])).find((i) => i.code === "instant_cycle")?.message).toMatch(/^A loop through Branch 'b' → Update profile 'm' has no wait/);
    expect(codes(loop(["m", "wait", { for: "P1D" }])).filter((c) => c.startsWith("error"))).toEqual([]);
  });

  it("does not count negative triggers and guardrails as unreachable, and lets a negative trigger jump", () => {
    const doc = journey(
      "j",
      [
        ["t", "trigger", { event: "x" }],
        ["w", "wait", { for: "P1D" }],
        ["n", "negative_trigger", { event: "complaint" }],
        ["g", "guardrail", { frequencyCap: [{ channel: "any", max: 1, per: "P1D" }] }],
        ["sorry", "message", { channel: "email", template: "Sorry" }],
      ],
      ["t>w", "n>sorry"],
    );
    expect(codes(doc).filter((c) => c.startsWith("error"))).toEqual([]);
  });

  it("refuses durations longer than ten years wherever a duration goes, naming the field", () => {
    const long = journey("j", [["t", "trigger", { event: "x" }], ["w", "wait", { for: "P999999Y" }]], ["t>w"], { reentryCooldown: "PT99999999999999999999H", goal: { event: "buy", within: "P11Y" } });
    const issues = validateJourney(long).filter((i) => i.severity === "error");
    expect(issues.map((i) => i.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/settings\.reentryCooldown: must be at most 10 years/), expect.stringMatching(/settings\.goal\.within: must be at most 10 years/)]),
    );
    const wait = validateJourney(journey("j", [["t", "trigger", { event: "x" }], ["w", "wait", { for: "P999999Y" }]], ["t>w"]));
    expect(wait.map((i) => [i.code, i.nodeId, i.message])).toEqual([["invalid_config", "w", "Wait 'w': for must be at most 10 years (P10Y)"]]);
    expect(validateJourney(journey("j", [["t", "trigger", { event: "x" }], ["w", "wait", { for: "P10Y" }]], ["t>w"]))).toEqual([expect.objectContaining({ code: "missing_edge" })]);
  });

  it("refuses a __proto__ key and a number too large to store, instead of losing them", () => {
    const proto = JSON.parse('{"format":"waymark.journey/v1","id":"j","name":"J","nodes":[{"id":"t","kind":"trigger","config":{"event":"x","__proto__":{"a":1}}}],"edges":[]}');
    expect(validateJourney(proto).map((i) => i.message)).toEqual([expect.stringMatching(/^nodes\.0\.config\.__proto__: is a key that cannot be kept/)]);
    const huge = JSON.parse('{"format":"waymark.journey/v1","id":"j","name":"J","nodes":[{"id":"t","kind":"trigger","config":{"event":"x","where":{"path":"event.properties.n","op":"gt","value":1e400}}}],"edges":[]}');
    expect(validateJourney(huge).map((i) => i.message)).toEqual([expect.stringMatching(/value: is a number too large to store/)]);
  });
});
