/**
 * Bayesian logistic regression on aggregated binomial data, for the
 * contextual bandit (the Laplace-approximation Thompson sampling of Chapelle &
 * Li, "An empirical evaluation of Thompson sampling", 2011): per option, the
 * log-odds of the goal are an intercept plus one weight per context value
 * (`channel=email`, `hour=evening`, …), with Gaussian priors; the MAP weights
 * come from Newton's method over the context cells' trial and success counts,
 * and their covariance from the Hessian there. For one customer's context the
 * log-odds are then Normal(mean, sd), which is what a Thompson draw samples.
 *
 * Fitting all context values jointly is what the earlier per-value Beta
 * posteriors could not do: the bandit picks an option mostly in the contexts
 * where it wins, so within one option's data the context values are
 * correlated, and adding up per-value shifts counted the same evidence twice
 * and tilted the estimates (eval:decisions regret 5–8 % depending on the seed).
 *
 * Small dense algebra by hand: a node has a few dozen context values at most.
 */
export type Cell = { features: string[]; n: number; s: number };
export type LogitPosterior = { mean: number; sd: number };

/**
 * Prior sd of a context value's weight (log-odds): a value may move the rate by
 * a factor of two or so (0.7), not by orders of magnitude. With sd 1, early
 * Thompson draws swung on context values that do not matter (device, hour
 * band), which cost exploration: eval:decisions over 24 seeds, see policies.ts.
 */
export const weightPriorSd = 0.7;
/** Prior sd of the intercept around the prior mean given (the node's pooled rate): options of one node differ by a factor of a few at most. */
export const interceptPriorSd = 1;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Cholesky factor L (lower, row-major) of a symmetric positive-definite matrix. */
function cholesky(a: number[][]): number[][] {
  const d = a.length;
  const l = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i]![j]!;
      for (let k = 0; k < j; k++) sum -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j]![j]!;
    }
  }
  return l;
}

/** Solves (L Lᵀ) x = b. */
function cholSolve(l: number[][], b: number[]): number[] {
  const d = b.length;
  const y = new Array<number>(d).fill(0);
  for (let i = 0; i < d; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i]![k]! * y[k]!;
    y[i] = sum / l[i]![i]!;
  }
  const x = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < d; k++) sum -= l[k]![i]! * x[k]!;
    x[i] = sum / l[i]![i]!;
  }
  return x;
}

export type LogisticFit = { index: Map<string, number>; weights: number[]; chol: number[][] };

/** The MAP fit for one option's cells; `priorMean` is the intercept's prior mean (log-odds). */
export function fitLogistic(cells: Cell[], priorMean: number): LogisticFit {
  const index = new Map<string, number>();
  for (const c of cells) for (const f of c.features) if (!index.has(f)) index.set(f, index.size + 1);
  const d = index.size + 1;
  const rows = cells.filter((c) => c.n > 0).map((c) => ({ cols: [0, ...c.features.map((f) => index.get(f)!)], n: c.n, s: Math.min(c.s, c.n) }));
  const precision = [1 / interceptPriorSd ** 2, ...new Array<number>(d - 1).fill(1 / weightPriorSd ** 2)];
  const prior = [priorMean, ...new Array<number>(d - 1).fill(0)];
  const w = [...prior];
  let chol: number[][] = [];
  for (let iter = 0; iter < 25; iter++) {
    // Gradient and (negated) Hessian of the log posterior.
    const g = w.map((wi, i) => -precision[i]! * (wi - prior[i]!));
    const h = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? precision[i]! : 0)));
    for (const r of rows) {
      const p = sigmoid(r.cols.reduce((z, col) => z + w[col]!, 0));
      const resid = r.s - r.n * p;
      const curv = r.n * p * (1 - p);
      for (const i of r.cols) {
        g[i]! += resid;
        for (const j of r.cols) h[i]![j]! += curv;
      }
    }
    chol = cholesky(h);
    const step = cholSolve(chol, g);
    let moved = 0;
    for (let i = 0; i < d; i++) {
      w[i]! += step[i]!;
      moved = Math.max(moved, Math.abs(step[i]!));
    }
    if (moved < 1e-6) break;
  }
  return { index, weights: w, chol };
}

/** The log-odds for a context under a fit: mean and sd (Laplace approximation); a value the fit never saw adds its prior. */
export function logitFor(fit: LogisticFit, features: string[]): LogitPosterior {
  const d = fit.weights.length;
  const x = new Array<number>(d).fill(0);
  x[0] = 1;
  let unseen = 0;
  for (const f of features) {
    const i = fit.index.get(f);
    if (i === undefined) unseen++;
    else x[i] = 1;
  }
  const mean = x.reduce((z, xi, i) => z + xi * fit.weights[i]!, 0);
  const v = cholSolve(fit.chol, x);
  const variance = x.reduce((acc, xi, i) => acc + xi * v[i]!, 0) + unseen * weightPriorSd ** 2;
  return { mean, sd: Math.sqrt(Math.max(variance, 0)) };
}
