import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { journeys, journeyVersions } from "@/db/schema";
import { fail, ok, type Result } from "@/server/result";
import { journeyDocumentSchema, validateJourney, type Issue } from "@/server/journey";

/**
 * Publishes the current draft as a new immutable version and makes the journey
 * live (new entries use it at once; customers already in keep the version
 * they entered). Refused while the validator reports errors.
 */
export async function publishJourney(
  db: Db,
  input: { workspaceId: string; journeyId: string; userId: string | null },
): Promise<Result<{ version: number }> | { ok: false; code: "invalid"; message: string; issues: Issue[] }> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(journeys)
      .where(and(eq(journeys.workspaceId, input.workspaceId), eq(journeys.id, input.journeyId)))
      .for("update");
    if (!current) return fail("not_found", "That journey does not exist.");
    if (current.status === "archived") return fail("conflict", "This journey is archived; restore it before publishing.");
    const issues = validateJourney(current.draft);
    const errors = issues.filter((i) => i.severity === "error");
    if (errors.length > 0) {
      return { ok: false as const, code: "invalid" as const, message: `Fix ${errors.length} error${errors.length === 1 ? "" : "s"} before publishing.`, issues };
    }
    const document = journeyDocumentSchema.parse(current.draft);
    const [{ next }] = (await tx.execute(
      sql`select coalesce(max(version), 0) + 1 as next from journey_versions where journey_id = ${current.id}`,
    )) as unknown as [{ next: number }];
    await tx.insert(journeyVersions).values({
      workspaceId: input.workspaceId,
      journeyId: current.id,
      version: Number(next),
      document: document as unknown as Record<string, unknown>,
      publishedBy: input.userId,
    });
    await tx.update(journeys).set({ status: "live", liveVersion: Number(next), updatedAt: new Date() }).where(eq(journeys.id, current.id));
    return ok({ version: Number(next) });
  });
}
