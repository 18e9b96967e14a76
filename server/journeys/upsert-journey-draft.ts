import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { journeys } from "@/db/schema";

/**
 * Creates a journey from a document (by its `id` slug), or leaves an existing
 * one untouched. Used by the seed and by "create from template".
 */
export async function createJourneyIfMissing(
  db: Db,
  input: { workspaceId: string; createdBy: string | null; description?: string; document: { id: string; name: string } & Record<string, unknown> },
): Promise<{ id: string; created: boolean }> {
  const [row] = await db
    .insert(journeys)
    .values({
      workspaceId: input.workspaceId,
      slug: input.document.id,
      name: input.document.name,
      description: input.description ?? "",
      draft: input.document,
      createdBy: input.createdBy,
    })
    .onConflictDoNothing()
    .returning({ id: journeys.id });
  if (row) return { id: row.id, created: true };
  const [existing] = await db
    .select({ id: journeys.id })
    .from(journeys)
    .where(sql`${journeys.workspaceId} = ${input.workspaceId} and ${journeys.slug} = ${input.document.id}`);
  return { id: existing!.id, created: false };
}
