import { sql } from "drizzle-orm";
import { intArray, type Db } from "@/db/client";
import { partitionCount } from "@/db/schema";
import { publishJourney } from "@/server/journeys/publish-journey";
import { createJourneyIfMissing } from "@/server/journeys/upsert-journey-draft";
import { processPartitions } from "@/server/runtime/process-partitions";

/** Every worker partition: what one worker holding them all would process. */
export const allPartitions = Array.from({ length: partitionCount }, (_, i) => i);

type RoundOptions = Parameters<typeof processPartitions>[2];

/** A track event as appendEvents takes it (ingestion's normalised form), with nothing in it but its name. */
export const trackEvent = (customerId: string, messageId: string, name: string, timestamp = new Date()) => ({
  type: "track" as const, userId: customerId, anonymousId: null, customerId, name, properties: {}, traits: {}, context: {}, timestamp, messageId,
});

/** Runs the runtime in this process over every partition until a round handles nothing (batches of 500 unless told). */
export async function drainRuntime(db: Db, opts: Partial<RoundOptions> = {}): Promise<void> {
  while ((await processPartitions(db, allPartitions, { batchSize: 500, ...opts })) > 0);
}

/** The workspace's events still in the runtime's queue (pending_events), in id order. */
export async function queuedEvents(db: Db, workspaceId: string): Promise<{ id: number; partition: number }[]> {
  const rows = (await db.execute(sql`
    select p.id, p.partition from pending_events p join events e on e.id = p.id
    where e.workspace_id = ${workspaceId} order by p.id`)) as unknown as { id: string; partition: number }[];
  return rows.map((r) => ({ id: Number(r.id), partition: r.partition }));
}

/**
 * The earliest pending timer of these partitions, asked on its own: what the
 * claim's `nextDue` (and so the worker's wake-up) must agree with.
 */
export async function nextTimerDue(db: Db, partitions: number[]): Promise<Date | null> {
  const rows = (await db.execute(sql`
    select min(x.due_at) as due
    from unnest(${intArray(partitions)}::int[]) as p(partition),
      lateral (select t.due_at from timers t where t.partition = p.partition order by t.due_at limit 1) as x`)) as unknown as [{ due: string | null }];
  return rows[0]?.due ? new Date(rows[0].due) : null;
}

/** Creates a journey from its document and publishes it; throws with the reason when it cannot be published. Returns its id. */
export async function publishDocument(db: Db, workspaceId: string, document: Parameters<typeof createJourneyIfMissing>[1]["document"]): Promise<string> {
  const { id } = await createJourneyIfMissing(db, { workspaceId, createdBy: null, document });
  const published = await publishJourney(db, { workspaceId, journeyId: id, userId: null });
  if (!published.ok) throw new Error(`could not publish the journey: ${JSON.stringify(published)}`);
  return id;
}
