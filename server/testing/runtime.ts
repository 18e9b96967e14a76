import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { partitionCount } from "@/db/schema";
import { publishJourney } from "@/server/journeys/publish-journey";
import { createJourneyIfMissing } from "@/server/journeys/upsert-journey-draft";
import { processPartitions } from "@/server/runtime/process-partitions";

/** Every worker partition: what one worker holding them all would process. */
export const allPartitions = Array.from({ length: partitionCount }, (_, i) => i);

type RoundOptions = Parameters<typeof processPartitions>[2];

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

/** Creates a journey from its document and publishes it; throws with the reason when it cannot be published. Returns its id. */
export async function publishDocument(db: Db, workspaceId: string, document: Parameters<typeof createJourneyIfMissing>[1]["document"]): Promise<string> {
  const { id } = await createJourneyIfMissing(db, { workspaceId, createdBy: null, document });
  const published = await publishJourney(db, { workspaceId, journeyId: id, userId: null });
  if (!published.ok) throw new Error(`could not publish the journey: ${JSON.stringify(published)}`);
  return id;
}
