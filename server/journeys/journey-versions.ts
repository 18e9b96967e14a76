import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { journeys, journeyVersions, users } from "@/db/schema";
import { diffJourneys, type JourneyChange } from "@/server/journey/diff";

const changeSchema = z.object({ area: z.enum(["journey", "settings", "step", "connection"]), change: z.enum(["added", "removed", "changed"]), target: z.string(), detail: z.string() });

export const journeyVersionSchema = z.object({
  journeyId: z.string(),
  name: z.string(),
  version: z.number(),
  publishedAt: z.date(),
  publishedBy: z.string().nullable(),
  document: z.record(z.string(), z.unknown()),
  liveVersion: z.number().nullable(),
  /** What this version changed from the one before it (null for v1). */
  sincePrevious: z.array(changeSchema).nullable(),
  /** What the live version changes from this one (null when this is live or nothing is). */
  toLive: z.array(changeSchema).nullable(),
});
export type JourneyVersionView = z.infer<typeof journeyVersionSchema>;

export const draftChangesSchema = z.object({ liveVersion: z.number().nullable(), changes: z.array(changeSchema) });

/** One published version, read-only, with what it changed and how it differs from live. */
export async function getJourneyVersion(db: Db, workspaceId: string, journeyId: string, version: number): Promise<JourneyVersionView | null> {
  const journey = await db.query.journeys.findFirst({ where: and(eq(journeys.workspaceId, workspaceId), eq(journeys.id, journeyId)) });
  if (!journey) return null;
  const wanted = [...new Set([version, version - 1, journey.liveVersion ?? version])];
  const rows = await db
    .select({ version: journeyVersions.version, document: journeyVersions.document, publishedAt: journeyVersions.publishedAt, publishedBy: users.email })
    .from(journeyVersions)
    .leftJoin(users, eq(users.id, journeyVersions.publishedBy))
    .where(and(eq(journeyVersions.workspaceId, workspaceId), eq(journeyVersions.journeyId, journeyId), inArray(journeyVersions.version, wanted)));
  const byVersion = new Map(rows.map((r) => [r.version, r]));
  const row = byVersion.get(version);
  if (!row) return null;
  const previous = byVersion.get(version - 1);
  const live = journey.liveVersion !== null && journey.liveVersion !== version ? byVersion.get(journey.liveVersion) : undefined;
  return {
    journeyId,
    name: journey.name,
    version,
    publishedAt: row.publishedAt,
    publishedBy: row.publishedBy,
    document: row.document,
    liveVersion: journey.liveVersion,
    sincePrevious: previous ? diffJourneys(previous.document, row.document) : null,
    toLive: live ? diffJourneys(row.document, live.document) : null,
  };
}

/** What publishing the saved draft would change against the live version (everything is new when nothing is live). */
export async function getDraftChanges(db: Db, workspaceId: string, journeyId: string): Promise<{ liveVersion: number | null; changes: JourneyChange[] } | null> {
  const journey = await db.query.journeys.findFirst({ where: and(eq(journeys.workspaceId, workspaceId), eq(journeys.id, journeyId)) });
  if (!journey) return null;
  if (journey.liveVersion === null) return { liveVersion: null, changes: diffJourneys({ name: journey.draft.name }, journey.draft) };
  const [live] = await db
    .select({ document: journeyVersions.document })
    .from(journeyVersions)
    .where(and(eq(journeyVersions.workspaceId, workspaceId), eq(journeyVersions.journeyId, journeyId), eq(journeyVersions.version, journey.liveVersion)));
  return { liveVersion: journey.liveVersion, changes: live ? diffJourneys(live.document, journey.draft) : [] };
}
