import { describe, expect, it } from "vitest";
import { parseDuration } from "@/server/journey/durations";
import { joinDuration, splitDuration } from "./duration-fields";

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
