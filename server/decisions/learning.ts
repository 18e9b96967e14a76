import type { ConditionScope } from "@/server/journey/conditions";
import { fitLogistic, logitFor, type LogisticFit } from "./logistic";
import type { Posterior } from "./policies";

/**
 * What the bandit learns, as plain data shared by the runtime (rows of
 * `decision_stats`, updated in the step's transaction) and the simulator (in
 * memory): per decision node, per context cell (`cell:channel=email|hour=evening`, the
 * combination of the customer's known context values), per option, how many
 * decisions chose it (`n`) and how many of those reached the journey goal
 * within its window (`s`). Bucket `*` is the node-wide total.
 *
 * Outcomes arrive late (the goal comes hours or days after the decision), so
 * a decision counts as a trial at once and as a success when its goal
 * arrives. Pending decisions thus look like failures for a while; the bias is
 * the same for every option with a similar delay, so it slows learning a
 * little but does not tilt it.
 */
export type OptionStats = { n: number; s: number };
export type DecisionStats = Record<string, Record<string, Record<string, OptionStats>>>;

export const nodeWideBucket = "*";
/** Until a node has this many decisions with a known context (all options together), the node-wide posterior decides. */
export const sparseBucketBelow = 10;

export function statsKey(journey: string, node: string): string {
  return `${journey}:${node}`;
}

export type ContextFeatures = { channel: string; device: string; hourBand: string; lifecycle: string };

const hourBands = ["night", "night", "night", "night", "night", "night", "morning", "morning", "morning", "morning", "morning", "morning", "afternoon", "afternoon", "afternoon", "afternoon", "afternoon", "afternoon", "evening", "evening", "evening", "evening", "evening", "evening"] as const;

function word(v: unknown): string {
  return typeof v === "string" && v.length > 0 && v.length <= 40 ? v.toLowerCase() : "unknown";
}

/** The context a contextual bandit conditions on: preferred channel, device, hour band and lifecycle stage. */
export function contextFeatures(scope: ConditionScope): ContextFeatures {
  return {
    channel: word(scope.context.channel),
    device: word(scope.traits.device),
    hourBand: hourBands[scope.context.hour] ?? "unknown",
    lifecycle: word(scope.traits.lifecycle),
  };
}

/** The decision's context as one string, e.g. `channel=email|device=mobile|hour=evening|lifecycle=new` (unknown values left out). */
export function bucketOf(f: ContextFeatures): string {
  const parts = [`channel=${f.channel}`, `device=${f.device}`, `hour=${f.hourBand}`, `lifecycle=${f.lifecycle}`].filter((p) => !p.endsWith("=unknown"));
  return parts.length ? parts.join("|") : nodeWideBucket;
}

/** The context values of a bucket (`channel=email|lifecycle=new` → both): the contextual model's features. */
export function featureBuckets(bucket: string): string[] {
  return bucket === nodeWideBucket ? [] : bucket.split("|");
}

const fits = new WeakMap<DecisionStats, Map<string, { version: string; fit: LogisticFit }>>();

/** Rows of a node's full context combinations (`cell:channel=email|hour=evening`): the contextual model's data. */
export const cellPrefix = "cell:";

/**
 * Each option's posterior for a context: the node-wide Beta and, once the
 * node has at least {@link sparseBucketBelow} decisions with a known context,
 * a Bayesian logistic regression per option over the context cells (each
 * context value a weight; see logistic.ts) giving this context's log-odds.
 * The intercept's prior is centred on the node's pooled rate, so a new option
 * starts from what the node knows.
 */
export function posteriorsFor(stats: DecisionStats | undefined, journey: string, node: string, bucket: string, handles: string[]): { posteriors: Record<string, Posterior>; source: "bucket" | "node" } {
  const byBucket = stats?.[statsKey(journey, node)] ?? {};
  const wide = byBucket[nodeWideBucket] ?? {};
  const cells = Object.entries(byBucket).filter(([b]) => b.startsWith(cellPrefix));
  const cellTrials = cells.reduce((sum, [, byH]) => sum + Object.values(byH).reduce((a, o) => a + o.n, 0), 0);
  const contextual = cellTrials >= sparseBucketBelow && bucket !== nodeWideBucket;
  const pooled = Object.values(wide).reduce((a, o) => ({ n: a.n + o.n, s: a.s + o.s }), { n: 0, s: 0 });
  const priorMean = Math.log((1 + pooled.s) / (1 + Math.max(0, pooled.n - pooled.s)));
  const posteriors: Record<string, Posterior> = {};
  for (const h of handles) {
    const w = wide[h] ?? { n: 0, s: 0 };
    const beta = { alpha: 1 + w.s, beta: 1 + Math.max(0, w.n - w.s) };
    if (!contextual) {
      posteriors[h] = beta;
      continue;
    }
    // Counts only grow, so the same totals mean the same data: a batch's decisions share one fit per option.
    const key = `${statsKey(journey, node)}\u0000${h}`;
    const version = `${cellTrials}:${pooled.n}:${pooled.s}:${cells.length}`;
    const cache = stats ? (fits.get(stats) ?? fits.set(stats, new Map()).get(stats)!) : new Map<string, { version: string; fit: LogisticFit }>();
    let fit = cache.get(key)?.version === version ? cache.get(key)!.fit : undefined;
    if (!fit) {
      fit = fitLogistic(
        cells.map(([b, byH]) => ({ features: featureBuckets(b.slice(cellPrefix.length)), n: byH[h]?.n ?? 0, s: byH[h]?.s ?? 0 })),
        priorMean,
      );
      cache.set(key, { version, fit });
    }
    posteriors[h] = { ...beta, logit: logitFor(fit, featureBuckets(bucket)) };
  }
  return { posteriors, source: contextual ? "bucket" : "node" };
}

/** A decision remembered on the journey instance until its goal arrives or the window closes. */
export type DecisionMemo = { node: string; handle: string; bucket: string };

/** One increment of `decision_stats`. */
export type StatsUpdate = { journey: string; node: string; bucket: string; handle: string; n: number; s: number };

/**
 * The stats updates a step's effects imply: a trial for each bandit decision
 * that took an option (fallbacks teach nothing), a success for each decision
 * that a goal effect credits. Each applies to its bucket and to the node-wide row.
 */
export function statsUpdates(effects: readonly { type: string; journey: string; node?: string; handle?: string; decision?: { policy: string; bucket?: string }; rewards?: DecisionMemo[] }[]): StatsUpdate[] {
  const out: StatsUpdate[] = [];
  for (const e of effects) {
    if (e.type === "decision" && e.decision && e.node && e.handle && e.handle !== "fallback") {
      out.push({ journey: e.journey, node: e.node, bucket: nodeWideBucket, handle: e.handle, n: 1, s: 0 });
      const bucket = e.decision.bucket ?? nodeWideBucket;
      if (bucket !== nodeWideBucket) out.push({ journey: e.journey, node: e.node, bucket: cellPrefix + bucket, handle: e.handle, n: 1, s: 0 });
    } else if (e.type === "goal" && e.rewards) {
      for (const r of e.rewards) {
        out.push({ journey: e.journey, node: r.node, bucket: nodeWideBucket, handle: r.handle, n: 0, s: 1 });
        if (r.bucket !== nodeWideBucket) out.push({ journey: e.journey, node: r.node, bucket: cellPrefix + r.bucket, handle: r.handle, n: 0, s: 1 });
      }
    }
  }
  return out;
}

/** Applies updates to in-memory stats (the simulator's learning). */
export function applyStatsUpdates(stats: DecisionStats, updates: StatsUpdate[]): void {
  for (const u of updates) {
    const byBucket = (stats[statsKey(u.journey, u.node)] ??= {});
    const byHandle = (byBucket[u.bucket] ??= {});
    const o = (byHandle[u.handle] ??= { n: 0, s: 0 });
    o.n += u.n;
    o.s += u.s;
  }
}

/** Sums updates by row, in a stable order (the runtime upserts in key order so concurrent batches cannot deadlock). */
export function mergeStatsUpdates(updates: StatsUpdate[]): StatsUpdate[] {
  const byKey = new Map<string, StatsUpdate>();
  for (const u of updates) {
    const k = [u.journey, u.node, u.bucket, u.handle].join("\u0000");
    const cur = byKey.get(k);
    if (cur) {
      cur.n += u.n;
      cur.s += u.s;
    } else byKey.set(k, { ...u });
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, u]) => u);
}
