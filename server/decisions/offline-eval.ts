import { normalQuantile } from "@/server/analytics/lift";

/**
 * Off-policy evaluation from the decision log: what another policy would have
 * earned on the same customers, by inverse propensity weighting. Each logged
 * decision carries the probability the logging policy gave each option; a
 * decision counts for a target policy in proportion to how likely that
 * policy was to take the same option. IPS is unbiased when every option the
 * target would take had a non-zero logged probability (the bandit's
 * exploration floor ensures this); SNIPS (self-normalised) trades a little
 * bias for much less variance and is the figure to read first.
 */
export type LoggedDecision = { eligible: string[]; probabilities: Record<string, number>; handle: string; reward: 0 | 1 };
export type TargetPolicy = "logged" | "uniform" | "rules";
export type PolicyEstimate = { policy: TargetPolicy; ips: number; snips: number; low: number; high: number; effectiveSample: number };

function targetProbability(policy: TargetPolicy, d: LoggedDecision): number {
  switch (policy) {
    case "logged":
      return d.probabilities[d.handle] ?? 0;
    case "uniform":
      return d.eligible.includes(d.handle) ? 1 / d.eligible.length : 0;
    case "rules":
      return d.eligible[0] === d.handle ? 1 : 0;
  }
}

export function estimatePolicy(policy: TargetPolicy, log: LoggedDecision[], alpha = 0.05): PolicyEstimate | null {
  const usable = log.filter((d) => (d.probabilities[d.handle] ?? 0) > 0);
  if (usable.length === 0) return null;
  const weighted = usable.map((d) => {
    const w = targetProbability(policy, d) / d.probabilities[d.handle]!;
    return { w, wr: w * d.reward };
  });
  const n = weighted.length;
  const sumW = weighted.reduce((a, x) => a + x.w, 0);
  const ips = weighted.reduce((a, x) => a + x.wr, 0) / n;
  const snips = sumW > 0 ? weighted.reduce((a, x) => a + x.wr, 0) / sumW : 0;
  // Normal interval on the IPS mean (its terms are independent); effective sample size of the weights.
  const variance = weighted.reduce((a, x) => a + (x.wr - ips) ** 2, 0) / Math.max(1, n - 1);
  const half = normalQuantile(1 - alpha / 2) * Math.sqrt(variance / n);
  const effectiveSample = sumW > 0 ? sumW ** 2 / weighted.reduce((a, x) => a + x.w * x.w, 0) : 0;
  return { policy, ips, snips, low: Math.max(0, ips - half), high: Math.min(1, ips + half), effectiveSample };
}
