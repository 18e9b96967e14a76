import { randomUUID } from "node:crypto";
import { createDb } from "@/db/client";
import { processPartitions } from "./process-partitions";
import { RuntimeWorker } from "./worker";

/**
 * A runtime worker on a pool of its own whose sessions carry its name (so a cut
 * stop can end them, see RuntimeWorker.stop), started: what `npm run worker`
 * and the in-process worker of `npm run dev`/`start` run. `stop` finishes or
 * cuts the round in progress (bounded) and closes the pool, at once when the
 * round was cut; it resolves whether the round finished.
 */
export async function startRuntimeWorker(url: string, log: (line: string) => void): Promise<{ worker: RuntimeWorker; stop: () => Promise<boolean> }> {
  const sessionName = `waymark-worker ${randomUUID().slice(0, 8)}`;
  const db = createDb(url, { max: 4, applicationName: sessionName });
  const worker = new RuntimeWorker(db, db.$client, { processPartitions, log, sessionName });
  await worker.start();
  return {
    worker,
    stop: async () => {
      const drained = await worker.stop().catch(() => false);
      await db.$end(drained ? 2 : 0).catch(() => undefined);
      return drained;
    },
  };
}
