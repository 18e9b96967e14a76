import { describe, expect, it } from "vitest";
import { toCsv } from "./csv";

describe("toCsv", () => {
  it("quotes commas, quotes and newlines", () => {
    expect(toCsv([{ a: "x,y", b: 'say "hi"', c: "l1\nl2", d: null }])).toBe('a,b,c,d\n"x,y","say ""hi""","l1\nl2",');
    expect(toCsv([])).toBe("");
  });

  it("defuses text a spreadsheet would run as a formula, not numbers", () => {
    expect(toCsv([{ name: "=HYPERLINK(\"http://x\")", b: "+1", c: "@SUM(A1)", d: -0.25, e: "plain" }])).toBe('name,b,c,d,e\n"\'=HYPERLINK(""http://x"")",\'+1,\'@SUM(A1),-0.25,plain');
  });
});
