import { seededRandom } from "./hash";

/**
 * Decision policies behind one interface, pure: a policy's learned state
 * (Beta posteriors per option) comes in through the context, and its
 * randomness is seeded by (journey, node, customer, seed), so the simulator and
 * the runtime choose alike. Every decision reports each option's score and
 * probability of being chosen, so another policy can be evaluated offline.
 */
export type Posterior = { alpha: number; beta: number };
export type DecisionRequest = {
  policy: "bandit" | "model" | "rules";
  eligible: string[];
  posteriors: Record<string, Posterior>;
  seedParts: string[];
  /** For `model`: the answer the shell obtained from the model for this decision, if any. */
  modelChoice?: string | null;
};
export type DecisionResult = {
  handle: string | null;
  scores: Record<string, number>;
  probabilities: Record<string, number>;
  reason: string;
};

/** Keeps some exploration even when one option's posterior dominates. */
export const explorationFloor = 0.05;

export function decide(req: DecisionRequest): DecisionResult {
  if (req.eligible.length === 0) return { handle: null, scores: {}, probabilities: {}, reason: "no_eligible_option" };
  switch (req.policy) {
    case "rules": {
      const probabilities = Object.fromEntries(req.eligible.map((h, i) => [h, i === 0 ? 1 : 0]));
      return { handle: req.eligible[0]!, scores: probabilities, probabilities, reason: "first_eligible" };
    }
    case "model": {
      const uniform = Object.fromEntries(req.eligible.map((h) => [h, 1 / req.eligible.length]));
      if (req.modelChoice && req.eligible.includes(req.modelChoice)) {
        return { handle: req.modelChoice, scores: uniform, probabilities: Object.fromEntries(req.eligible.map((h) => [h, h === req.modelChoice ? 1 : 0])), reason: "model" };
      }
      return { handle: null, scores: uniform, probabilities: {}, reason: req.modelChoice === undefined ? "model_unavailable" : "model_invalid_answer" };
    }
    case "bandit":
      return thompson(req);
    default:
      return assertNever(req.policy);
  }
}

function thompson(req: DecisionRequest): DecisionResult {
  const rand = seededRandom(...req.seedParts);
  const post = (h: string) => req.posteriors[h] ?? { alpha: 1, beta: 1 };
  const scores = Object.fromEntries(req.eligible.map((h) => [h, post(h).alpha / (post(h).alpha + post(h).beta)]));
  // Exploration floor: with probability floor × n, pick uniformly; else the best Thompson draw.
  const explore = rand() < explorationFloor;
  const draw = () => {
    let best = req.eligible[0]!;
    let bestValue = -1;
    for (const h of req.eligible) {
      const v = sampleBeta(post(h).alpha, post(h).beta, rand);
      if (v > bestValue) {
        bestValue = v;
        best = h;
      }
    }
    return best;
  };
  const handle = explore ? req.eligible[Math.floor(rand() * req.eligible.length)]! : draw();
  // Probability of choice, estimated by repeated draws (seeded, so reproducible).
  const wins: Record<string, number> = Object.fromEntries(req.eligible.map((h) => [h, 0]));
  const draws = 64;
  for (let i = 0; i < draws; i++) wins[draw()]! += 1;
  const n = req.eligible.length;
  const probabilities = Object.fromEntries(req.eligible.map((h) => [h, explorationFloor / n + (1 - explorationFloor) * (wins[h]! / draws)]));
  return { handle, scores, probabilities, reason: explore ? "explore" : "thompson_sample" };
}

/** Beta(a, b) from two Gamma draws (Marsaglia–Tsang), using the seeded uniform source. */
function sampleBeta(a: number, b: number, rand: () => number): number {
  const x = sampleGamma(a, rand);
  const y = sampleGamma(b, rand);
  return x / (x + y);
}

function sampleGamma(shape: number, rand: () => number): number {
  if (shape < 1) return sampleGamma(shape + 1, rand) * Math.pow(rand() || 1e-12, 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      const u1 = rand() || 1e-12;
      const u2 = rand();
      x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rand();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u || 1e-12) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function assertNever(x: never): never {
  throw new Error(`unknown policy ${String(x)}`);
}
