import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { journeys, journeyStatuses, journeyVersions, users } from "@/db/schema";

export const journeyDetailSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  status: z.enum(journeyStatuses),
  /** While paused: whether customers in it finish or are held. */
  pauseMode: z.enum(["finish", "hold"]).nullable(),
  draft: z.record(z.string(), z.unknown()),
  draftRevision: z.number(),
  liveVersion: z.number().nullable(),
  updatedAt: z.date(),
  versions: z.array(z.object({ version: z.number(), publishedAt: z.date(), publishedBy: z.string().nullable() })),
});
export type JourneyDetail = z.infer<typeof journeyDetailSchema>;

/** A journey by its id (uuid) or its slug, with its version history. */
export async function getJourney(db: Db, workspaceId: string, idOrSlug: string): Promise<JourneyDetail | null> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrSlug);
  const row = await db.query.journeys.findFirst({
    where: and(eq(journeys.workspaceId, workspaceId), isUuid ? eq(journeys.id, idOrSlug) : eq(journeys.slug, idOrSlug)),
  });
  if (!row) return null;
  const versions = await db
    .select({ version: journeyVersions.version, publishedAt: journeyVersions.publishedAt, publishedBy: users.email })
    .from(journeyVersions)
    .leftJoin(users, eq(users.id, journeyVersions.publishedBy))
    .where(and(eq(journeyVersions.workspaceId, workspaceId), eq(journeyVersions.journeyId, row.id)))
    .orderBy(desc(journeyVersions.version));
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    status: row.status,
    pauseMode: row.status === "paused" ? (row.pauseMode ?? "finish") : null,
    draft: row.draft,
    draftRevision: row.draftRevision,
    liveVersion: row.liveVersion,
    updatedAt: row.updatedAt,
    versions,
  };
}
