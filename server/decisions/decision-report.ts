import { and, eq, sql } from "drizzle-orm";
import { normalQuantile } from "@/server/analytics/lift";
import { z } from "zod";
import type { Db } from "@/db/client";
import { journeys, journeyVersions } from "@/db/schema";
import type { DecisionConfig } from "@/server/journey/node-kinds/decision";
import { nodeWideBucket } from "./learning";
import { estimatePolicy, type LoggedDecision, type PolicyEstimate } from "./offline-eval";

export const decisionReportInputSchema = z.object({ journeyId: z.uuid(), nodeId: z.string().min(1).max(100).optional() });

export type DecisionOptionRow = { handle: string; label: string; channel: string | null; decisions: number; conversions: number; rate: number | null; low: number | null; high: number | null; posteriorMean: number };
export type DecisionReport = {
  slug: string;
  nodes: { id: string; policy: string; label: string }[];
  node: { id: string; policy: string } | null;
  options: DecisionOptionRow[];
  allocation: { day: string; counts: Record<string, number> }[];
  fallbacks: { reason: string; count: number }[];
  estimates: PolicyEstimate[];
  logged: { decisions: number; withOption: number; medianLatencyMs: number | null };
};

/** How many recent logged decisions feed the offline estimates (they read the step log, so bounded). */
export const offlineSampleLimit = 20_000;

/** Wilson score interval: honest for small counts and rates near 0 or 1. */
function wilson(successes: number, n: number, alpha = 0.05): { low: number; high: number } | null {
  if (n === 0) return null;
  const z = normalQuantile(1 - alpha / 2);
  const p = successes / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The decision quality page's data for one decision node: per option its
 * decisions, conversions with a 95% interval and posterior mean (from
 * decision_stats), allocation by day (from the counters), fallbacks by reason,
 * and the offline estimates of what uniform or first-eligible choice would have
 * earned (from the last logged decisions and their outcomes).
 */
export async function getDecisionReport(db: Db, workspaceId: string, input: z.infer<typeof decisionReportInputSchema>): Promise<DecisionReport | null> {
  const journey = await db.query.journeys.findFirst({ where: and(eq(journeys.workspaceId, workspaceId), eq(journeys.id, input.journeyId)) });
  if (!journey) return null;
  const version = journey.liveVersion
    ? await db.query.journeyVersions.findFirst({ where: and(eq(journeyVersions.journeyId, journey.id), eq(journeyVersions.version, journey.liveVersion)) })
    : undefined;
  const doc = ((version?.document as Record<string, unknown> | undefined) ?? journey.draft) as { nodes?: { id: string; kind: string; label?: string; config?: DecisionConfig }[] };
  const decisionNodes = (doc.nodes ?? []).filter((n) => n.kind === "decision" && n.config);
  const nodes = decisionNodes.map((n) => ({ id: n.id, policy: n.config!.policy ?? "bandit", label: n.label ?? n.id }));
  const chosen = decisionNodes.find((n) => n.id === (input.nodeId ?? decisionNodes[0]?.id));
  const empty = { options: [], allocation: [], fallbacks: [], estimates: [], logged: { decisions: 0, withOption: 0, medianLatencyMs: null } };
  if (!chosen) return { slug: journey.slug, nodes, node: null, ...empty };

  const stats = (await db.execute(sql`
    select handle, trials::float8 as n, successes::float8 as s from decision_stats
    where workspace_id = ${workspaceId} and journey_id = ${journey.slug} and node_id = ${chosen.id} and bucket = ${nodeWideBucket}`)) as unknown as { handle: string; n: number; s: number }[];
  const byHandle = new Map(stats.map((r) => [r.handle, r]));
  const options: DecisionOptionRow[] = chosen.config!.options.map((o) => {
    const r = byHandle.get(o.handle) ?? { n: 0, s: 0 };
    const ci = wilson(r.s, r.n);
    return { handle: o.handle, label: o.label ?? o.handle, channel: o.channel ?? null, decisions: r.n, conversions: r.s, rate: r.n ? r.s / r.n : null, low: ci?.low ?? null, high: ci?.high ?? null, posteriorMean: (1 + r.s) / (2 + r.n) };
  });

  const daily = (await db.execute(sql`
    select day::text as day, substring(metric from 10) as handle, sum(count)::float8 as n from journey_counters
    where workspace_id = ${workspaceId} and journey_id = ${journey.slug} and node_id = ${chosen.id} and metric like 'decision:%'
    group by 1, 2 order by 1`)) as unknown as { day: string; handle: string; n: number }[];
  const allocation: DecisionReport["allocation"] = [];
  for (const r of daily) {
    if (allocation.at(-1)?.day !== r.day) allocation.push({ day: r.day, counts: {} });
    allocation.at(-1)!.counts[r.handle] = r.n;
  }

  const logRows = (await db.execute(sql`
    with d as (
      select customer_id, detail from step_log
      where workspace_id = ${workspaceId} and journey_id = ${journey.slug} and type = 'decision' and node_id = ${chosen.id}
      order by at desc limit ${offlineSampleLimit}
    )
    select d.detail, exists (
      select 1 from step_log g where g.workspace_id = ${workspaceId} and g.customer_id = d.customer_id and g.type = 'goal'
        and g.detail->>'key' = regexp_replace(d.detail->>'key', ':[0-9]+:decision$', '') || ':goal'
    ) as converted from d`)) as unknown as { detail: { handle: string; reason?: string; decision?: { eligible: string[]; probabilities: Record<string, number>; latencyMs?: number } }; converted: boolean }[];
  const fallbackCounts = new Map<string, number>();
  const log: LoggedDecision[] = [];
  const latencies: number[] = [];
  for (const r of logRows) {
    if (r.detail.handle === "fallback") fallbackCounts.set(r.detail.reason ?? "unknown", (fallbackCounts.get(r.detail.reason ?? "unknown") ?? 0) + 1);
    if (typeof r.detail.decision?.latencyMs === "number") latencies.push(r.detail.decision.latencyMs);
    if (r.detail.handle !== "fallback" && r.detail.decision) log.push({ eligible: r.detail.decision.eligible, probabilities: r.detail.decision.probabilities, handle: r.detail.handle, reward: r.converted ? 1 : 0 });
  }
  latencies.sort((a, b) => a - b);
  const estimates = (["logged", "uniform", "rules"] as const).map((p) => estimatePolicy(p, log)).filter((e): e is PolicyEstimate => e !== null);
  return {
    slug: journey.slug,
    nodes,
    node: { id: chosen.id, policy: chosen.config!.policy ?? "bandit" },
    options,
    allocation,
    fallbacks: [...fallbackCounts.entries()].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    estimates,
    logged: { decisions: logRows.length, withOption: log.length, medianLatencyMs: latencies.length ? latencies[Math.floor(latencies.length / 2)]! : null },
  };
}
