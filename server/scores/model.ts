/**
 * Predictive scores: one logistic model per workspace and score, trained
 * online. PURE (the engine, the simulator and the runtime share it).
 *
 * p = σ(w·x) over a handful of behavioural features (see features.ts). Before
 * any data the weights are a hand-set prior that says what a marketer would
 * guess (a long silence means churn; frequent recent buyers buy again). Each
 * labelled example moves the weights by an AdaGrad step (per-feature step
 * sizes shrink as evidence accumulates, so early examples cannot swing the
 * model and later ones still refine it), with a light pull back to the prior.
 *
 * What is stored is the part learned on top of the prior and the sum of
 * squared gradients, both of which only ever get increments added: workers
 * that learn from different customers at the same time add their increments
 * to the same rows without losing any (asynchronous SGD, as Hogwild does).
 */

export const scoreNames = ["churnRisk", "purchasePropensity"] as const;
export type ScoreName = (typeof scoreNames)[number];

export const featureNames = ["bias", "recency", "frequency", "monetary", "trend", "buyer"] as const;
export type FeatureName = (typeof featureNames)[number];

/** What each score means, for people (settings page, customer page). */
export const scoreDescriptions: Record<ScoreName, string> = {
  churnRisk: "Probability that the customer is not active at all in the next churn window",
  purchasePropensity: "Probability that the customer makes a purchase in the next purchase window",
};

/**
 * Priors, in the order of featureNames. With recency on a 0..1 scale (0 = active
 * today, 1 = silent for a month): a customer silent for two weeks with little
 * history starts near 0.8 churn risk; an active customer near 0.2.
 */
export const priorWeights: Record<ScoreName, readonly number[]> = {
  churnRisk: [-0.8, 3.2, -1.6, -0.4, -0.8, -0.4],
  purchasePropensity: [-2.6, -2.0, 1.6, 0.8, 0.8, 1.6],
};

/** What a workspace's model has learned: per feature the increment over the prior and the AdaGrad accumulator. */
export type ScoreModel = { learned: number[]; sqGrad: number[]; examples: number; positives: number };
export type ScoreModels = Partial<Record<ScoreName, ScoreModel>>;

/** A labelled snapshot: the features at some moment (`since`, epoch ms) and what happened in the window after it. */
export type ScoreExample = { score: ScoreName; x: number[]; y: 0 | 1; since?: number };

/** Learning rate, the accumulator's starting value (how stubborn the prior is), and the pull to the prior. */
export const learningParams = { rate: 0.3, initialSqGrad: 1, priorPull: 0.002 } as const;

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export function weightsOf(name: ScoreName, model: ScoreModel | undefined): number[] {
  const prior = priorWeights[name];
  return prior.map((w, i) => w + (model?.learned[i] ?? 0));
}

export function predict(name: ScoreName, model: ScoreModel | undefined, x: readonly number[]): number {
  const prior = priorWeights[name];
  const learned = model?.learned;
  let z = 0;
  for (let i = 0; i < prior.length; i++) z += (prior[i]! + (learned?.[i] ?? 0)) * (x[i] ?? 0);
  return sigmoid(z);
}

/**
 * Scores rounded to 3 decimals (stable in state and logs, and enough for any threshold a person sets). One object
 * literal in the order of scoreNames, not a loop of keyed stores into `{}`: this runs on every event, and the literal
 * (one shape, named loads) took a fifth of the loop's time in a microbenchmark.
 */
export function predictAll(models: ScoreModels | undefined, x: readonly number[]): Record<ScoreName, number> {
  const churn = models?.churnRisk?.learned;
  const buy = models?.purchasePropensity?.learned;
  if (!sameInputs(churn, buy, x)) {
    memo.churnRisk = round3(predict("churnRisk", models?.churnRisk, x));
    memo.purchasePropensity = round3(predict("purchasePropensity", models?.purchasePropensity, x));
  }
  return { churnRisk: memo.churnRisk, purchasePropensity: memo.purchasePropensity };
}
const round3 = (v: number) => Math.round(v * 1000) / 1000;

/**
 * The inputs predict reads (each feature, each learned weight, `?? 0` as it reads them) of the last predictAll, and
 * its scores: the same inputs give the same scores, so they are not computed again. Every customer's first event has
 * the same features (one event today, nothing before), and while a workspace's models are unchanged each of those
 * costs two logistic functions less. Values, not references: learn() changes models in place (and a plain array, not a
 * Float64Array, so that a value is kept as it came, compared with === as predict would read it).
 */
const memo = { inputs: Array.from({ length: 3 * featureNames.length }, () => NaN), churnRisk: 0, purchasePropensity: 0, noWeights: false };
function sameInputs(churn: readonly number[] | undefined, buy: readonly number[] | undefined, x: readonly number[]): boolean {
  const m: unknown[] = memo.inputs;
  const n = featureNames.length;
  let same = true;
  for (let i = 0; i < n; i++) {
    const xi = x[i] ?? 0;
    // NaN never matches (NaN !== NaN), so a NaN input is always computed.
    if (m[i] !== xi) {
      same = false;
      m[i] = xi;
    }
  }
  if (churn === undefined && buy === undefined) {
    // No models (the priors alone): every weight reads as 0. `noWeights` says the memo's weights are those zeros
    // already, so they are not compared one by one on every call.
    if (!memo.noWeights) {
      for (let i = n; i < 3 * n; i++) m[i] = 0;
      memo.noWeights = true;
      same = false;
    }
    return same;
  }
  memo.noWeights = false;
  for (let i = 0; i < n; i++) {
    const ci = churn?.[i] ?? 0;
    const bi = buy?.[i] ?? 0;
    if (m[n + i] !== ci || m[2 * n + i] !== bi) {
      same = false;
      m[n + i] = ci;
      m[2 * n + i] = bi;
    }
  }
  return same;
}

export function emptyModel(): ScoreModel {
  return { learned: featureNames.map(() => 0), sqGrad: featureNames.map(() => 0), examples: 0, positives: 0 };
}

/** An increment to add to a model (same shape; counts are added too). */
export type ScoreModelDelta = ScoreModel;

/**
 * Learns from examples in order, updating `models` in place, and returns the
 * increments it added per score (what the runtime adds to the stored rows).
 */
export function learn(models: ScoreModels, examples: readonly ScoreExample[]): Partial<Record<ScoreName, ScoreModelDelta>> {
  const deltas: Partial<Record<ScoreName, ScoreModelDelta>> = {};
  const { rate, initialSqGrad, priorPull } = learningParams;
  for (const ex of examples) {
    const model = (models[ex.score] ??= emptyModel());
    const delta = (deltas[ex.score] ??= emptyModel());
    const p = predict(ex.score, model, ex.x);
    const err = ex.y - p;
    for (let i = 0; i < featureNames.length; i++) {
      const g = err * (ex.x[i] ?? 0) - priorPull * model.learned[i]!;
      const g2 = g * g;
      model.sqGrad[i]! += g2;
      delta.sqGrad[i]! += g2;
      const step = (rate * g) / Math.sqrt(initialSqGrad + model.sqGrad[i]!);
      model.learned[i]! += step;
      delta.learned[i]! += step;
    }
    model.examples += 1;
    delta.examples += 1;
    model.positives += ex.y;
    delta.positives += ex.y;
  }
  return deltas;
}

/** Adds increments (from another worker's batch, or read back from storage) to models in place. */
export function addDeltas(models: ScoreModels, deltas: Partial<Record<ScoreName, ScoreModelDelta>>): void {
  for (const name of scoreNames) {
    const d = deltas[name];
    if (!d) continue;
    const m = (models[name] ??= emptyModel());
    for (let i = 0; i < featureNames.length; i++) {
      m.learned[i]! += d.learned[i] ?? 0;
      m.sqGrad[i]! += d.sqGrad[i] ?? 0;
    }
    m.examples += d.examples;
    m.positives += d.positives;
  }
}

/** Feature names for people. */
export const featureLabels: Record<FeatureName, string> = {
  bias: "Baseline",
  recency: "Days since active",
  frequency: "Events, 28 days",
  monetary: "Spend, 28 days",
  trend: "Trend (week vs before)",
  buyer: "Purchases, 28 days",
};

export type ScoreModelSummary = {
  name: ScoreName;
  description: string;
  examples: number;
  positives: number;
  features: { name: FeatureName; label: string; prior: number; weight: number }[];
};

/** What each model weighs now against its prior, for the settings page. */
export function summarizeScoreModels(models: ScoreModels): ScoreModelSummary[] {
  return scoreNames.map((name) => {
    const m = models[name];
    const w = weightsOf(name, m);
    return {
      name,
      description: scoreDescriptions[name],
      examples: m?.examples ?? 0,
      positives: m?.positives ?? 0,
      features: featureNames.map((f, i) => ({ name: f, label: featureLabels[f], prior: priorWeights[name][i]!, weight: Math.round(w[i]! * 1000) / 1000 })),
    };
  });
}
