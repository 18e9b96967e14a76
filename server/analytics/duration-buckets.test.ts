import { describe, expect, it } from "vitest";
import { bucketBounds, bucketValueMs, durationBucket, histogramQuantile } from "./duration-buckets";

describe("duration buckets", () => {
  it("puts every duration inside its bucket's bounds, and reads it back within 4.5 %", () => {
    for (const ms of [1, 2, 999, 1000, 1001, 59_999, 3_600_000, 86_400_000, 7 * 86_400_000, 365 * 86_400_000, 12345.678]) {
      const b = durationBucket(ms);
      const [low, high] = bucketBounds(b);
      expect(low).toBeLessThanOrEqual(ms);
      expect(ms).toBeLessThan(high);
      expect(Math.abs(bucketValueMs(b) - ms) / ms).toBeLessThan(0.045);
    }
  });

  it("keeps instants apart, orders buckets like durations, and stays small for a year", () => {
    expect(durationBucket(0)).toBe(0);
    expect(durationBucket(0.4)).toBe(0);
    expect(durationBucket(-5)).toBe(0);
    expect(durationBucket(Number.NaN)).toBe(0);
    expect(bucketValueMs(0)).toBe(0);
    expect(durationBucket(1)).toBe(1);
    expect(durationBucket(2)).toBe(9);
    expect(durationBucket(60_000)).toBeGreaterThan(durationBucket(50_000));
    expect(durationBucket(366 * 86_400_000)).toBeLessThan(300);
  });

  it("reads quantiles by nearest rank", () => {
    expect(histogramQuantile(new Map(), 0.5)).toBeNull();
    const hour = 3_600_000;
    // Three instants and seven stays of an hour: the median is an hour, the 30th percentile an instant.
    const h = new Map([
      [durationBucket(0), 3],
      [durationBucket(hour), 7],
    ]);
    expect(histogramQuantile(h, 0.3)).toBe(0);
    expect(histogramQuantile(h, 0.31)).toBe(bucketValueMs(durationBucket(hour)));
    expect(histogramQuantile(h, 0.5)! / hour).toBeCloseTo(1, 1);
    expect(histogramQuantile(h, 1)! / hour).toBeCloseTo(1, 1);
    expect(histogramQuantile(h, 0)).toBe(0);
  });
});
