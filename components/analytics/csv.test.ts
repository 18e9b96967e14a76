import { describe, expect, it } from "vitest";
import { toCsv } from "./csv";

describe("toCsv", () => {
  it("quotes commas, quotes and newlines", () => {
    expect(toCsv([{ a: "x,y", b: 'say "hi"', c: "l1\nl2", d: null }])).toBe('a,b,c,d\n"x,y","say ""hi""","l1\nl2",');
    expect(toCsv([])).toBe("");
  });
});
