import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { journeys, type JourneyStatus } from "@/db/schema";
import { fail, ok, type Result } from "@/server/result";
import { wakeChannel } from "@/server/runtime/wake-channel";

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
 * new entries; customers already in it finish (`hold: false`, the default) or
 * stay where they are until it resumes (`hold: true`: no timer fires, no event
 * moves them). Resuming a held journey wakes its customers at once: waits that
 * ended meanwhile fire then. The runtime reads the status from its next batch.
 */
export async function setJourneyStatus(db: Db, input: { workspaceId: string; journeyId: string; move: JourneyStatusMove; hold?: boolean }): Promise<Result<{ status: JourneyStatus; pauseMode: "finish" | "hold" | null }>> {
  const current = await db.query.journeys.findFirst({ where: and(eq(journeys.workspaceId, input.workspaceId), eq(journeys.id, input.journeyId)) });
  if (!current) return fail("not_found", "That journey does not exist.");
  const move = moves[input.move];
  if (!(move.from as readonly JourneyStatus[]).includes(current.status)) {
    return fail("conflict", `A ${current.status} journey cannot ${input.move}.`);
  }
  if (input.hold !== undefined && input.move !== "pause") return fail("invalid", "Only pause takes hold.");
  if (input.move === "resume" && current.liveVersion === null) return fail("conflict", "Publish the journey first.");
  const pauseMode = input.move === "pause" ? (input.hold ? "hold" : "finish") : null;
  const wakes = current.pauseMode === "hold" && current.status === "paused";
  await db.transaction(async (tx) => {
    await tx.update(journeys).set({ status: move.to, pauseMode, updatedAt: new Date() }).where(eq(journeys.id, current.id));
    if (wakes) {
      // Every customer held in it gets a wake-up now (their own waits are due again from their state).
      // Their state rows are locked, so a runtime batch either finished with the journey held (and the
      // wake-up follows) or starts after this commit and sees it resumed.
      await tx.execute(sql`
        insert into timers (workspace_id, customer_id, due_at, key, payload)
        select workspace_id, customer_id, now(), 'wake:' || ${current.slug}, '{"wake": true}'::jsonb
        from customer_states
        where workspace_id = ${current.workspaceId} and state->'instances' @> ${JSON.stringify([{ journey: current.slug }])}::jsonb
        for update
        on conflict do nothing`);
    }
  });
  // The wake-ups are due now: the workers are told at once (a lost notification only delays them to the next poll).
  if (wakes) await db.execute(sql`select pg_notify(${wakeChannel}, '')`).catch(() => undefined);
  return ok({ status: move.to, pauseMode });
}
