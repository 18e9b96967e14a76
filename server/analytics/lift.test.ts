import { describe, expect, it } from "vitest";
import { computeLift, normalCdf, normalQuantile } from "./lift";

describe("lift statistics", () => {
  it("matches textbook values for the normal distribution", () => {
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(0)).toBeCloseTo(0.5, 10);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 5);
  });

  it("computes the unpooled two-proportion z interval and p-value (200/1000 vs 150/1000)", () => {
    // Reference, by the Wald formula: se = sqrt(.2·.8/1000 + .15·.85/1000) = 0.0169558, z = 2.94885, p = 0.003190 (two-sided).
    const lift = computeLift({ entered: 1000, converted: 200 }, { entered: 1000, converted: 150 })!;
    expect(lift.absolute.estimate).toBeCloseTo(0.05, 10);
    expect(lift.z).toBeCloseTo(2.94885, 4);
    expect(lift.pValue).toBeCloseTo(0.00319, 4);
    expect(lift.absolute.low).toBeCloseTo(0.016767, 5);
    expect(lift.absolute.high).toBeCloseTo(0.083233, 5);
    // Relative lift 1/3 with the Katz log-ratio interval: se = sqrt(.8/200 + .85/150) = 0.098319, exp(ln(4/3) ± 1.959964·se) − 1 = [0.09964, 0.61665].
    expect(lift.relative!.estimate).toBeCloseTo(1 / 3, 10);
    expect(lift.relative!.low).toBeCloseTo(0.09964, 4);
    expect(lift.relative!.high).toBeCloseTo(0.61665, 4);
    // MDE at 80% power: (1.96 + 0.8416) · sqrt(.175·.825·2/1000) = 0.047610.
    expect(lift.minimumDetectableEffect).toBeCloseTo(0.04761, 4);
  });

  it("gives an always-valid p-value that is more conservative than the fixed-horizon one", () => {
    const lift = computeLift({ entered: 1000, converted: 200 }, { entered: 1000, converted: 150 })!;
    expect(lift.alwaysValidPValue).toBeGreaterThan(lift.pValue);
    expect(lift.alwaysValidPValue).toBeLessThan(0.2);
    const none = computeLift({ entered: 1000, converted: 150 }, { entered: 1000, converted: 150 })!;
    expect(none.alwaysValidPValue).toBe(1);
    expect(none.pValue).toBeCloseTo(1, 10);
  });

  it("says nothing until both groups have entrants", () => {
    expect(computeLift({ entered: 10, converted: 1 }, { entered: 0, converted: 0 })).toBeNull();
    expect(computeLift({ entered: 10, converted: 1 }, { entered: 10, converted: 0 })!.relative).toBeNull();
  });
});
