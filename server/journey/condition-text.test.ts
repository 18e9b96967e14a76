import { describe, expect, it } from "vitest";
import { conditionSchema, type Condition } from "./conditions";
import { describeCondition, fromGroup, parseList, parseValue, toGroup, valueText } from "./condition-text";

describe("condition builder text", () => {
  it("reads typed values as people mean them and writes them back unchanged", () => {
    expect(parseValue("50")).toBe(50);
    expect(parseValue("-2.5")).toBe(-2.5);
    expect(parseValue("true")).toBe(true);
    expect(parseValue(" enterprise ")).toBe("enterprise");
    expect(parseValue('"50"')).toBe("50");
    expect(parseValue("12abc")).toBe("12abc");
    expect(parseList("email, sms,, 3")).toEqual(["email", "sms", 3]);
    for (const v of [50, -2.5, true, false, "enterprise", "50", "true", "a b", ["email", 3, "7"]]) {
      const back = Array.isArray(v) ? parseList(valueText(v)) : parseValue(valueText(v));
      expect(back).toEqual(v);
    }
  });

  it("edits any condition as a group and writes the simplest equivalent back", () => {
    const leaf: Condition = { path: "traits.plan", op: "eq", value: "pro" };
    expect(toGroup(undefined)).toEqual({ mode: "all", items: [] });
    expect(fromGroup(toGroup(leaf))).toEqual(leaf);
    expect(fromGroup({ mode: "all", items: [] })).toBeUndefined();
    const any: Condition = { any: [leaf] };
    expect(fromGroup(toGroup(any))).toEqual(any);
    const two: Condition = { all: [leaf, { not: leaf }] };
    expect(fromGroup(toGroup(two))).toEqual(two);
    expect(conditionSchema.safeParse(fromGroup(toGroup(two))).success).toBe(true);
  });

  it("describes the spec's example in plain words", () => {
    const spec: Condition = { all: [{ path: "event.properties.total", op: "gte", value: 50 }, { not: { path: "traits.plan", op: "eq", value: "enterprise" } }] };
    expect(describeCondition(spec)).toBe('total ≥ 50 and not plan is "enterprise"');
    expect(describeCondition({ any: [{ path: "scores.churnRisk", op: "gt", value: 0.7 }, { all: [{ path: "context.hour", op: "lt", value: 9 }, { path: "traits.vip", op: "exists" }] }] })).toBe(
      "score churnRisk > 0.7 or (hour of day < 9 and vip is set)",
    );
    expect(describeCondition({ path: "context.channel", op: "in", value: ["email", "sms"] })).toBe('preferred channel is one of "email", "sms"');
  });
});
