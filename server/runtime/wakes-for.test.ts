import { describe, expect, it } from "vitest";
import { wakesFor } from "./worker";

describe("wakesFor (which worker a waymark_events notification wakes)", () => {
  const held = new Set([0, 2, 4, 63]);
  it("wakes the worker holding any of the listed partitions, and only it", () => {
    expect(wakesFor("4", held)).toBe(true);
    expect(wakesFor("1,3,63", held)).toBe(true);
    expect(wakesFor("1,3,5", held)).toBe(false);
    expect(wakesFor("1", new Set())).toBe(false);
  });
  it("wakes every worker when it cannot tell (no payload, or one it does not understand)", () => {
    expect(wakesFor("", held)).toBe(true);
    expect(wakesFor("  ", new Set())).toBe(true);
    expect(wakesFor("1,x", held)).toBe(true);
  });
});
