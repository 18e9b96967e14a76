import type { ConditionScope } from "@/server/journey/conditions";
import type { Posterior } from "./policies";

/**
 * What the bandit learns, as plain data shared by the runtime (rows of
 * `decision_stats`, updated in the step's transaction) and the simulator (in
 * memory): per decision node, per context value (`channel=email`, …), per option, how many
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
/** A context value with fewer decisions than this (all options together) is left out: the node-wide posterior stands for it. */
export const sparseBucketBelow = 10;
/** How many pseudo-observations of the node-wide rate a context value's posterior starts from. */
export const nodePriorStrength = 3;

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

/** The stats rows a decision's bucket feeds: one per known context value (each learns from every customer who has it). */
export function featureBuckets(bucket: string): string[] {
  return bucket === nodeWideBucket ? [] : bucket.split("|");
}

/**
 * Each option's posterior for a context: the node-wide Beta, plus one Beta per
 * context value whose rows are not sparse, each starting from a weak prior
 * centred on the node-wide rate. While every value is sparse, that is just the
 * node-wide posterior.
 */
export function posteriorsFor(stats: DecisionStats | undefined, journey: string, node: string, bucket: string, handles: string[]): { posteriors: Record<string, Posterior>; source: "bucket" | "node" } {
  const byBucket = stats?.[statsKey(journey, node)] ?? {};
  const wide = byBucket[nodeWideBucket] ?? {};
  const used = featureBuckets(bucket).filter((fb) => handles.reduce((sum, h) => sum + (byBucket[fb]?.[h]?.n ?? 0), 0) >= sparseBucketBelow);
  const posteriors: Record<string, Posterior> = {};
  for (const h of handles) {
    const w = wide[h] ?? { n: 0, s: 0 };
    const rate = (1 + w.s) / (2 + w.n);
    const features = used.map((fb) => {
      const o = byBucket[fb]?.[h] ?? { n: 0, s: 0 };
      return { alpha: nodePriorStrength * rate + o.s, beta: nodePriorStrength * (1 - rate) + Math.max(0, o.n - o.s) };
    });
    posteriors[h] = { alpha: 1 + w.s, beta: 1 + Math.max(0, w.n - w.s), ...(features.length ? { features } : {}) };
  }
  return { posteriors, source: used.length ? "bucket" : "node" };
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
      for (const fb of featureBuckets(e.decision.bucket ?? nodeWideBucket)) out.push({ journey: e.journey, node: e.node, bucket: fb, handle: e.handle, n: 1, s: 0 });
    } else if (e.type === "goal" && e.rewards) {
      for (const r of e.rewards) {
        out.push({ journey: e.journey, node: r.node, bucket: nodeWideBucket, handle: r.handle, n: 0, s: 1 });
        for (const fb of featureBuckets(r.bucket)) out.push({ journey: e.journey, node: r.node, bucket: fb, handle: r.handle, n: 0, s: 1 });
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
