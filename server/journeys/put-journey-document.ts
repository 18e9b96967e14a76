import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { journeys } from "@/db/schema";
import { fail, ok, type Result } from "@/server/result";
import { validateJourney, type Issue } from "@/server/journey";
import { saveJourneyDraft } from "./save-journey-draft";

/**
 * Journeys as code: creates or replaces the draft of journey `slug` with a
 * complete document. Unlike the editor's autosave, a document with validation
 * errors is refused whole (nothing changes) and the issues are returned.
 */
export async function putJourneyDocument(
  db: Db,
  input: { workspaceId: string; slug: string; document: unknown; userId: string | null },
): Promise<Result<{ journeyId: string; created: boolean; revision: number; issues: Issue[] }> | { ok: false; code: "invalid"; message: string; issues: Issue[] }> {
  const doc = input.document;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return fail("invalid", "The body must be a journey document (a JSON object).");
  const record = doc as Record<string, unknown>;
  if (record.id !== undefined && record.id !== input.slug) return fail("invalid", `The document's id "${String(record.id)}" does not match the URL's "${input.slug}".`);
  const withId = { ...record, id: input.slug };
  const issues = validateJourney(withId);
  const errors = issues.filter((i) => i.severity === "error");
  if (errors.length > 0) return { ok: false, code: "invalid", message: `The journey has ${errors.length} validation error(s).`, issues };

  const find = () => db.query.journeys.findFirst({ where: and(eq(journeys.workspaceId, input.workspaceId), eq(journeys.slug, input.slug)) });
  let existing = await find();
  if (!existing) {
    // Two PUTs of a new journey at once: the second's insert finds the first's row (no error), and saves over it as a draft.
    const [row] = await db
      .insert(journeys)
      .values({ workspaceId: input.workspaceId, slug: input.slug, name: String(record.name ?? input.slug).slice(0, 200), draft: withId, createdBy: input.userId })
      .onConflictDoNothing({ target: [journeys.workspaceId, journeys.slug] })
      .returning({ id: journeys.id, revision: journeys.draftRevision });
    if (row) return ok({ journeyId: row.id, created: true, revision: row.revision, issues });
    existing = await find();
    if (!existing) return fail("conflict", "The journey was created and removed while this request ran; send it again.");
  }
  const saved = await saveJourneyDraft(db, { workspaceId: input.workspaceId, journeyId: existing.id, document: withId });
  if (!saved.ok) return saved;
  return ok({ journeyId: existing.id, created: false, revision: saved.value.revision, issues });
}
