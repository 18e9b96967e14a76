import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { journeys, type JourneyStatus } from "@/db/schema";
import { fail, ok, type Result } from "@/server/result";

/** Allowed lifecycle moves (publishing is publishJourney). */
const moves = {
  pause: { from: ["live"], to: "paused" },
  resume: { from: ["paused"], to: "live" },
  archive: { from: ["draft", "paused", "live"], to: "archived" },
  restore: { from: ["archived"], to: "draft" },
} as const satisfies Record<string, { from: readonly JourneyStatus[]; to: JourneyStatus }>;
export type JourneyStatusMove = keyof typeof moves;

/**
 * Pauses, resumes, archives or restores a journey. A paused journey takes no
 * new entries; customers already in it finish (the runtime reads the status).
 */
export async function setJourneyStatus(db: Db, input: { workspaceId: string; journeyId: string; move: JourneyStatusMove }): Promise<Result<{ status: JourneyStatus }>> {
  const current = await db.query.journeys.findFirst({ where: and(eq(journeys.workspaceId, input.workspaceId), eq(journeys.id, input.journeyId)) });
  if (!current) return fail("not_found", "That journey does not exist.");
  const move = moves[input.move];
  if (!(move.from as readonly JourneyStatus[]).includes(current.status)) {
    return fail("conflict", `A ${current.status} journey cannot ${input.move}.`);
  }
  if (input.move === "resume" && current.liveVersion === null) return fail("conflict", "Publish the journey first.");
  await db.update(journeys).set({ status: move.to, updatedAt: new Date() }).where(eq(journeys.id, current.id));
  return ok({ status: move.to });
}
