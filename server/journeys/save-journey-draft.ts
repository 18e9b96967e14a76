import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { journeys } from "@/db/schema";
import { fail, ok, type Result } from "@/server/result";
import { validateJourney, type Issue } from "@/server/journey";

/**
 * Saves the working copy of a journey. Drafts may be invalid (the editor saves
 * as you go); the issues come back with the answer. `baseRevision` is the
 * revision the editor started from: if someone saved since, the save is
 * refused with `conflict`, so a stale tab never silently overwrites newer work.
 * The document's `id` must stay the journey's slug.
 */
export async function saveJourneyDraft(
  db: Db,
  input: { workspaceId: string; journeyId: string; document: Record<string, unknown>; baseRevision?: number },
): Promise<Result<{ revision: number; issues: Issue[] }>> {
  const current = await db.query.journeys.findFirst({ where: and(eq(journeys.workspaceId, input.workspaceId), eq(journeys.id, input.journeyId)) });
  if (!current) return fail("not_found", "That journey does not exist.");
  if (current.status === "archived") return fail("conflict", "This journey is archived; restore it before editing.");
  if (input.document.id !== undefined && input.document.id !== current.slug) {
    return fail("invalid", `The document's id must stay "${current.slug}" (it identifies the journey).`);
  }
  const name = typeof input.document.name === "string" && input.document.name.trim() ? input.document.name.trim().slice(0, 200) : current.name;
  const [row] = await db
    .update(journeys)
    .set({ draft: { ...input.document, id: current.slug }, name, draftRevision: sql`${journeys.draftRevision} + 1`, updatedAt: new Date() })
    .where(
      and(
        eq(journeys.id, current.id),
        input.baseRevision === undefined ? undefined : eq(journeys.draftRevision, input.baseRevision),
      ),
    )
    .returning({ revision: journeys.draftRevision });
  if (!row) {
    return fail("conflict", "Someone saved this journey after you opened it. Reload to see their changes, or copy yours first.");
  }
  return ok({ revision: row.revision, issues: validateJourney({ ...input.document, id: current.slug }) });
}
