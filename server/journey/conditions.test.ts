import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mergeOwn } from "./merge-own";
import { compileCondition, compilePath, renderTemplate, resolveCompiled, resolveParts, type ConditionScope } from "./conditions";

// Names objects and arrays inherit (resolved only when the data has them as its own), and plain ones.
const name = fc.constantFrom("toString", "valueOf", "__proto__", "constructor", "hasOwnProperty", "length", "map", "push", "0", "1", "a", "b", "total", "event", "traits", "properties");
// JSON data as the API hands it over (parsed, so an own "__proto__" key is a key), arrays included.
const data = fc.jsonValue({ maxDepth: 3 }).chain((v) => fc.constant(JSON.parse(JSON.stringify(v)) as unknown));
const object = fc.dictionary(name, data, { maxKeys: 4 }).map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);
const scope = fc.record({ properties: object, traits: object, items: fc.array(data, { maxLength: 3 }), noEvent: fc.boolean() }).map(
  ({ properties, traits, items, noEvent }): ConditionScope => ({ event: noEvent ? undefined : { name: "buy", properties: { ...properties, items } }, traits, scores: { churnRisk: 0.5 }, context: { hour: 10, dayOfWeek: 2 } }),
);
const path = fc.array(name, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("."));

describe("compiled paths", () => {
  it("resolve exactly as the own-property walk does, inherited names included", () => {
    fc.assert(
      fc.property(scope, fc.oneof(path, fc.constantFrom("event.properties", "event", "traits", "event.name"), path.map((p) => `event.properties.${p}`), path.map((p) => `traits.${p}`), path.map((p) => `event.properties.items.${p}`)), (s, p) => {
        expect(resolveCompiled(s, compilePath(p))).toBe(resolveParts(s, p.split(".")));
      }),
      { numRuns: 2_000 },
    );
  });

  it("never reach what a value inherits: methods, an array's map, a prototype", () => {
    const s: ConditionScope = { event: { name: "buy", properties: JSON.parse('{"items": [1, 2], "__proto__": {"x": 1}}') as Record<string, unknown> }, traits: {}, scores: {}, context: { hour: 1, dayOfWeek: 1 } };
    expect(compileCondition({ path: "event.properties.items.map", op: "exists" })(s)).toBe(false);
    expect(compileCondition({ path: "traits.toString", op: "exists" })(s)).toBe(false);
    expect(compileCondition({ path: "event.constructor", op: "exists" })(s)).toBe(false);
    // Own data under an inherited name is data: an array's length, a parsed "__proto__" key.
    expect(compileCondition({ path: "event.properties.items.length", op: "eq", value: 2 })(s)).toBe(true);
    expect(compileCondition({ path: "event.properties.__proto__.x", op: "eq", value: 1 })(s)).toBe(true);
    expect(renderTemplate("{{traits.valueOf}}|{{event.properties.items.1}}|{{event.properties.items.push}}", s)).toBe("|2|");
  });

  it("read a trait named __proto__ as data: an identify's traits never replace the profile's prototype", () => {
    // Object.assign would set a parsed own "__proto__" key through the prototype setter, and traits.vip would then
    // read what the new prototype holds, not the customer's own trait.
    const traits = mergeOwn({ email: "a@b.c" }, JSON.parse('{"__proto__": {"vip": true, "0": "x"}}') as Record<string, unknown>);
    expect(Object.getPrototypeOf(traits)).toBe(Object.prototype);
    const s: ConditionScope = { event: { name: "signup", properties: {} }, traits, scores: {}, context: { hour: 1, dayOfWeek: 1 } };
    expect(compileCondition({ path: "traits.vip", op: "eq", value: true })(s)).toBe(false);
    expect(compileCondition({ path: "traits.__proto__.vip", op: "eq", value: true })(s)).toBe(true);
    expect(renderTemplate("{{traits.vip}}|{{traits.0}}|{{traits.email}}", s)).toBe("||a@b.c");
  });
});
