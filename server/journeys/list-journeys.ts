import { and, desc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { journeys, journeyStatuses } from "@/db/schema";

export const journeySummarySchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  status: z.enum(journeyStatuses),
  liveVersion: z.number().nullable(),
  entrants: z.number(),
  updatedAt: z.date(),
});
export type JourneySummary = z.infer<typeof journeySummarySchema>;

export const listJourneysInputSchema = z.object({ includeArchived: z.boolean().default(false) }).default({ includeArchived: false });

/** The workspace's journeys, most recently changed first. */
export async function listJourneys(db: Db, workspaceId: string, opts: { includeArchived: boolean }): Promise<JourneySummary[]> {
  return db
    .select({
      id: journeys.id,
      slug: journeys.slug,
      name: journeys.name,
      description: journeys.description,
      status: journeys.status,
      liveVersion: journeys.liveVersion,
      // Kept per runtime writer (journey_entrants' shard): a few rows per journey.
      entrants: sql<number>`(select coalesce(sum(e.count), 0)::float8 from journey_entrants e where e.workspace_id = ${journeys.workspaceId} and e.journey_id = ${journeys.slug})`.mapWith(Number),
      updatedAt: journeys.updatedAt,
    })
    .from(journeys)
    .where(and(eq(journeys.workspaceId, workspaceId), opts.includeArchived ? undefined : ne(journeys.status, "archived")))
    .orderBy(desc(journeys.updatedAt));
}
