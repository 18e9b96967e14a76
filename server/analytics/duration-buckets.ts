/**
 * Durations kept as a histogram with log-scale buckets: bucket 0 is an
 * instant (under 1 ms); bucket b ≥ 1 holds [2^((b-1)/8), 2^(b/8)) ms, eight
 * buckets per doubling. A percentile read from the histogram is the geometric
 * middle of its bucket, within ±4.5 % of the true value at any scale (1 s or
 * 30 days alike), and a year fits in under 300 buckets. The same idea as HDR
 * histograms and Prometheus native histograms; small enough to do by hand.
 *
 * The migration that backfilled journey_durations (drizzle/0006) computes
 * buckets with the same formula in SQL.
 */
export const bucketsPerDoubling = 8;

export function durationBucket(ms: number): number {
  if (!(ms >= 1)) return 0;
  return 1 + Math.floor(bucketsPerDoubling * Math.log2(ms));
}

/** The bucket's lower and upper bound in ms (upper exclusive). */
export function bucketBounds(bucket: number): [number, number] {
  if (bucket <= 0) return [0, 1];
  return [2 ** ((bucket - 1) / bucketsPerDoubling), 2 ** (bucket / bucketsPerDoubling)];
}

/** What a bucket stands for: 0 for an instant, else the geometric middle of its bounds. */
export function bucketValueMs(bucket: number): number {
  if (bucket <= 0) return 0;
  return 2 ** ((bucket - 0.5) / bucketsPerDoubling);
}

/**
 * The q-quantile (nearest rank) of a histogram given as bucket → count, as the
 * value of the bucket it falls in; null when the histogram is empty.
 */
export function histogramQuantile(counts: Map<number, number>, q: number): number | null {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(bucket)!;
    if (seen >= rank) return bucketValueMs(bucket);
  }
  return null;
}
