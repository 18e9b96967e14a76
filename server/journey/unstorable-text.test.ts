import { describe, expect, it } from "vitest";
import { findUnstorable, storableText } from "./unstorable-text";

describe("text Postgres cannot store", () => {
  it("passes ordinary text, emoji (paired surrogates) and other control characters", () => {
    expect(findUnstorable({ name: "Ann 😀", tags: ["a\tb", "\u202e", ""], n: 1, nested: { deep: [null, true] } })).toBeNull();
  });

  it("finds NUL and unpaired surrogates in values and keys, and says where", () => {
    expect(findUnstorable({ a: { b: ["ok", "x\u0000"] } })).toEqual({ path: "a.b.1", message: expect.stringMatching(/NUL character/) });
    expect(findUnstorable({ a: "\ud800" })).toEqual({ path: "a", message: expect.stringMatching(/unpaired UTF-16 surrogate/) });
    expect(findUnstorable({ a: "x\udc00y" })?.path).toBe("a");
    expect(findUnstorable({ a: "😀".slice(0, 1) })?.path).toBe("a");
    expect(findUnstorable({ props: { "k\u0000": 1 } })?.path).toBe("props.k\\u0000");
    expect(findUnstorable("\u0000")?.path).toBe("");
  });

  it("handles deep nesting without recursion", () => {
    let deep: unknown = "x\u0000";
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(findUnstorable(deep)?.message).toMatch(/NUL/);
  });
});

describe("storableText", () => {
  it("replaces NUL and unpaired surrogates with U+FFFD and keeps everything else, pairs included", () => {
    expect(storableText("ok 😀 é")).toBe("ok 😀 é");
    expect(storableText("a\u0000b")).toBe("a\uFFFDb");
    expect(storableText("x\ud800y\udc00z")).toBe("x\uFFFDy\uFFFDz");
    expect(storableText("\ud83d\ude00\ud83d")).toBe("😀\uFFFD");
    expect(findUnstorable(storableText("\u0000\udfff\ud800"))).toBeNull();
  });
});
