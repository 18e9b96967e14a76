import { and, eq, gte, inArray, lte, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { journeyCounters, journeys } from "@/db/schema";
import { getWorkspaceSettings } from "@/server/workspaces/workspace-settings";
import { computeLift, type GroupCounts, type Lift } from "./lift";

export const globalControlInputSchema = z
  .object({
    from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "from must be a date (YYYY-MM-DD)").optional(),
    to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "to must be a date (YYYY-MM-DD)").optional(),
  })
  .strict()
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: "from must not be after to" });

export type GlobalControlRow = { journeyId: string; name: string; treatment: GroupCounts; control: GroupCounts; lift: Lift | null };
export type GlobalControlReport = { percent: number; journeys: GlobalControlRow[]; all: { treatment: GroupCounts; control: GroupCounts; lift: Lift | null } };

/**
 * What all journeys add together: each journey's entrants in treatment against
 * those the workspace's global control group kept out of every journey
 * (counters' group `global_holdout`), with the same statistics as a journey's
 * own holdout. `all` pools entries across journeys (a customer in two journeys
 * counts twice): a summary, the per-journey rows are the exact comparisons.
 */
export async function getGlobalControlReport(db: Db, workspaceId: string, input: z.infer<typeof globalControlInputSchema>): Promise<GlobalControlReport> {
  const filters: SQL[] = [eq(journeyCounters.workspaceId, workspaceId), inArray(journeyCounters.metric, ["enter", "goal"]), inArray(journeyCounters.group, ["treatment", "global_holdout"])];
  if (input.from) filters.push(gte(journeyCounters.day, input.from));
  if (input.to) filters.push(lte(journeyCounters.day, input.to));
  const [rows, names, settings] = await Promise.all([
    db
      .select({ journeyId: journeyCounters.journeyId, group: journeyCounters.group, metric: journeyCounters.metric, count: sql<number>`sum(${journeyCounters.count})::int` })
      .from(journeyCounters)
      .where(and(...filters))
      .groupBy(journeyCounters.journeyId, journeyCounters.group, journeyCounters.metric),
    db.select({ slug: journeys.slug, name: journeys.name }).from(journeys).where(eq(journeys.workspaceId, workspaceId)),
    getWorkspaceSettings(db, workspaceId),
  ]);
  const nameOf = new Map(names.map((n) => [n.slug, n.name]));
  const byJourney = new Map<string, { treatment: GroupCounts; control: GroupCounts }>();
  for (const r of rows) {
    const j = byJourney.get(r.journeyId) ?? { treatment: { entered: 0, converted: 0 }, control: { entered: 0, converted: 0 } };
    const g = r.group === "treatment" ? j.treatment : j.control;
    if (r.metric === "enter") g.entered += r.count;
    else g.converted += r.count;
    byJourney.set(r.journeyId, j);
  }
  const list = [...byJourney]
    .map(([journeyId, c]) => ({ journeyId, name: nameOf.get(journeyId) ?? journeyId, ...c, lift: computeLift(c.treatment, c.control) }))
    .sort((a, b) => b.treatment.entered + b.control.entered - (a.treatment.entered + a.control.entered) || a.journeyId.localeCompare(b.journeyId));
  const sum = (k: "treatment" | "control") => list.reduce((s, j) => ({ entered: s.entered + j[k].entered, converted: s.converted + j[k].converted }), { entered: 0, converted: 0 });
  const treatment = sum("treatment");
  const control = sum("control");
  return { percent: settings.globalHoldoutPercent, journeys: list, all: { treatment, control, lift: computeLift(treatment, control) } };
}
