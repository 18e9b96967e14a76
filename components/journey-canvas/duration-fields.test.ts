import { describe, expect, it } from "vitest";
import { parseDuration } from "@/server/journey/durations";
import { joinDuration, parseFriendlyDuration, splitDuration } from "./duration-fields";

describe("the wait widget's durations", () => {
  it("round-trips simple amounts and leaves anything else to the JSON", () => {
    for (const iso of ["PT15M", "PT2H", "P3D", "P2W"]) {
      const s = splitDuration(iso)!;
      expect(joinDuration(s.n, s.unit)).toBe(iso);
      expect(parseDuration(iso)).not.toBeNull();
    }
    expect(splitDuration("PT2H")).toEqual({ n: 2, unit: "H" });
    expect(splitDuration("P1DT2H")).toBeNull();
    expect(splitDuration("PT90S")).toBeNull();
    expect(splitDuration("2 hours")).toBeNull();
  });
});

describe("the test panel's delays", () => {
  it("reads what people type, and ISO", () => {
    expect(parseFriendlyDuration("2h")).toEqual({ hours: 2 });
    expect(parseFriendlyDuration(" 30 min ")).toEqual({ minutes: 30 });
    expect(parseFriendlyDuration("1d 12h")).toEqual({ days: 1, hours: 12 });
    expect(parseFriendlyDuration("2 weeks, 3 days")).toEqual({ weeks: 2, days: 3 });
    expect(parseFriendlyDuration("0")).toEqual({});
    expect(parseFriendlyDuration("PT2H")).toEqual({ hours: 2 });
    expect(parseFriendlyDuration("pt45m")).toEqual({ minutes: 45 });
  });
  it("refuses what it cannot read exactly", () => {
    for (const bad of ["", "2", "h", "2 parsecs", "1.5h", "2h 3h", "2h later", "-2h", "1 month", "P"]) expect(parseFriendlyDuration(bad), bad).toBeNull();
  });
});
