import { and, eq, gte, lte, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { journeyCounters, journeys, journeyVersions } from "@/db/schema";
import { isNodeKind, nodeKinds } from "@/server/journey";
import { computeLift, type Lift } from "./lift";

export const journeyReportInputSchema = z.object({
  journeyId: z.uuid(),
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  version: z.number().int().positive().optional(),
});
export type JourneyReportInput = z.infer<typeof journeyReportInputSchema>;

/** dropFromPrevious: the share lost since the step before, when that step leads only here; shareOfEntered: of all treatment entrants. */
export type FunnelStep = { nodeId: string; kind: string; label: string; passed: number; dropFromPrevious: number | null; shareOfEntered: number | null };
export type JourneyReport = {
  slug: string;
  /** The journey's name, for the page title. */
  name: string;
  versions: number[];
  entered: Record<string, number>;
  goals: Record<string, number>;
  exits: Record<string, number>;
  messages: Record<string, number>;
  notSent: { suppressed: number; blocked: number; held: number };
  funnel: FunnelStep[];
  daily: { day: string; entered: number; goals: number }[];
  lift: Lift | null;
};

/**
 * A journey's analytics, read from the counters the runtime keeps in the
 * step's transaction (never from the raw log): entries and goals by group,
 * exits by reason, messages by channel, the funnel of steps in path order with
 * the drop between each, daily series, and treatment-vs-holdout lift.
 */
export async function getJourneyReport(db: Db, workspaceId: string, input: JourneyReportInput): Promise<JourneyReport | null> {
  const journey = await db.query.journeys.findFirst({ where: and(eq(journeys.workspaceId, workspaceId), eq(journeys.id, input.journeyId)) });
  if (!journey) return null;
  const filters: SQL[] = [eq(journeyCounters.workspaceId, workspaceId), eq(journeyCounters.journeyId, journey.slug)];
  if (input.from) filters.push(gte(journeyCounters.day, input.from));
  if (input.to) filters.push(lte(journeyCounters.day, input.to));
  if (input.version) filters.push(eq(journeyCounters.version, input.version));
  const rows = await db
    .select({ nodeId: journeyCounters.nodeId, day: journeyCounters.day, group: journeyCounters.group, metric: journeyCounters.metric, count: sql<number>`sum(${journeyCounters.count})::int` })
    .from(journeyCounters)
    .where(and(...filters))
    .groupBy(journeyCounters.nodeId, journeyCounters.day, journeyCounters.group, journeyCounters.metric);
  const versions = (await db.select({ v: journeyVersions.version }).from(journeyVersions).where(eq(journeyVersions.journeyId, journey.id))).map((r) => r.v).sort((a, b) => b - a);

  const add = (rec: Record<string, number>, k: string, n: number) => (rec[k] = (rec[k] ?? 0) + n);
  const entered: Record<string, number> = {};
  const goals: Record<string, number> = {};
  const exits: Record<string, number> = {};
  const messages: Record<string, number> = {};
  const notSent = { suppressed: 0, blocked: 0, held: 0 };
  const passed = new Map<string, number>();
  const daily = new Map<string, { entered: number; goals: number }>();
  for (const r of rows) {
    const day = daily.get(r.day) ?? { entered: 0, goals: 0 };
    if (r.metric === "enter") {
      add(entered, r.group, r.count);
      if (r.group === "treatment") day.entered += r.count;
    } else if (r.metric === "goal") {
      add(goals, r.group, r.count);
      if (r.group === "treatment") day.goals += r.count;
    } else if (r.metric.startsWith("exit:")) add(exits, r.metric.slice(5), r.count);
    else if (r.metric.startsWith("message:")) add(messages, r.metric.slice(8), r.count);
    else if (r.metric === "suppressed" || r.metric === "blocked" || r.metric === "held") notSent[r.metric] += r.count;
    else if (r.metric === "node" && r.group === "treatment") passed.set(r.nodeId, (passed.get(r.nodeId) ?? 0) + r.count);
    daily.set(r.day, day);
  }

  const doc = journey.draft as { nodes?: { id: string; kind: string; label?: string }[]; edges?: { from: string; to: string }[] };
  const edges = doc.edges ?? [];
  const treatmentEntered = entered.treatment ?? 0;
  const funnel = pathOrder(doc).map((n) => {
    const p = passed.get(n.id) ?? 0;
    // A drop is only meaningful on a straight stretch: one step before, which leads only here.
    const parents = edges.filter((e) => e.to === n.id).map((e) => e.from);
    const parent = parents.length === 1 && edges.filter((e) => e.from === parents[0]).length === 1 ? parents[0]! : null;
    const prev = parent ? (passed.get(parent) ?? 0) : 0;
    return {
      nodeId: n.id,
      kind: n.kind,
      label: n.label ?? (isNodeKind(n.kind) ? nodeKinds[n.kind].label : n.kind),
      passed: p,
      dropFromPrevious: parent && prev > 0 ? 1 - p / prev : null,
      shareOfEntered: treatmentEntered > 0 ? p / treatmentEntered : null,
    };
  });
  return {
    slug: journey.slug,
    name: journey.name,
    versions,
    entered,
    goals,
    exits,
    messages,
    notSent,
    funnel,
    daily: [...daily].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, v]) => ({ day, ...v })),
    lift: computeLift({ entered: entered.treatment ?? 0, converted: goals.treatment ?? 0 }, { entered: entered.holdout ?? 0, converted: goals.holdout ?? 0 }),
  };
}

/** The main-path nodes in breadth-first order from the triggers (negative triggers and guardrails left out). */
function pathOrder(doc: { nodes?: { id: string; kind: string; label?: string }[]; edges?: { from: string; to: string }[] }) {
  const nodes = doc.nodes ?? [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out: typeof nodes = [];
  const seen = new Set<string>();
  const queue = nodes.filter((n) => n.kind === "trigger").map((n) => n.id);
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id) || !byId.has(id)) continue;
    seen.add(id);
    out.push(byId.get(id)!);
    for (const e of doc.edges ?? []) if (e.from === id) queue.push(e.to);
  }
  return out;
}
