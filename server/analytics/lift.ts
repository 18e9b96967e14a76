import jstat from "jstat";

const { jStat } = jstat;

/** Standard normal CDF and quantile, from jstat. */
export const normalCdf = (z: number) => jStat.normal.cdf(z, 0, 1);
export const normalQuantile = (p: number) => jStat.normal.inv(p, 0, 1);

export type GroupCounts = { entered: number; converted: number };

export type Lift = {
  treatment: GroupCounts & { rate: number };
  control: GroupCounts & { rate: number };
  /** Absolute lift (difference of rates) with a 95% interval: unpooled two-proportion z (Wald). */
  absolute: { estimate: number; low: number; high: number };
  /** Relative lift (ratio − 1) with a 95% interval from the log rate ratio (delta method). */
  relative: { estimate: number; low: number; high: number } | null;
  z: number;
  pValue: number;
  /** Always-valid p-value (mSPRT, normal mixture): stays honest when you look every day. */
  alwaysValidPValue: number;
  /** Smallest absolute lift detectable now with 80% power at α = 0.05 (two-sided). */
  minimumDetectableEffect: number | null;
  enough: boolean;
};

/** Mixing scale of the mSPRT prior on the difference of rates (2 percentage points). */
export const msprtTau = 0.02;

/**
 * Treatment vs holdout: what a journey adds. Returns null until both groups
 * have entrants. Formulas: Wald interval with unpooled variance; log-ratio
 * interval for relative lift; mSPRT mixture likelihood ratio for the
 * always-valid p-value (Johari, Pekelis & Walsh 2017), p = min(1, 1/Λ).
 */
export function computeLift(treatment: GroupCounts, control: GroupCounts, alpha = 0.05): Lift | null {
  if (treatment.entered === 0 || control.entered === 0) return null;
  const pT = treatment.converted / treatment.entered;
  const pC = control.converted / control.entered;
  const variance = (pT * (1 - pT)) / treatment.entered + (pC * (1 - pC)) / control.entered;
  const se = Math.sqrt(variance);
  const zCrit = normalQuantile(1 - alpha / 2);
  const diff = pT - pC;
  const z = se > 0 ? diff / se : 0;
  const pValue = se > 0 ? 2 * (1 - normalCdf(Math.abs(z))) : 1;
  let relative: Lift["relative"] = null;
  if (pT > 0 && pC > 0) {
    const logRatio = Math.log(pT / pC);
    const seLog = Math.sqrt((1 - pT) / (treatment.entered * pT) + (1 - pC) / (control.entered * pC));
    relative = { estimate: pT / pC - 1, low: Math.exp(logRatio - zCrit * seLog) - 1, high: Math.exp(logRatio + zCrit * seLog) - 1 };
  }
  const tau2 = msprtTau ** 2;
  const lambda = variance > 0 ? Math.sqrt(variance / (variance + tau2)) * Math.exp((tau2 * diff * diff) / (2 * variance * (variance + tau2))) : 1;
  const pooled = (treatment.converted + control.converted) / (treatment.entered + control.entered);
  const mde = pooled > 0 && pooled < 1 ? (zCrit + normalQuantile(0.8)) * Math.sqrt(pooled * (1 - pooled) * (1 / treatment.entered + 1 / control.entered)) : null;
  return {
    treatment: { ...treatment, rate: pT },
    control: { ...control, rate: pC },
    absolute: { estimate: diff, low: diff - zCrit * se, high: diff + zCrit * se },
    relative,
    z,
    pValue,
    alwaysValidPValue: Math.min(1, 1 / lambda),
    minimumDetectableEffect: mde,
    enough: treatment.entered >= 30 && control.entered >= 30,
  };
}
