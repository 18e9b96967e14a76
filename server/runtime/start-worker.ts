import { randomUUID } from "node:crypto";
import { createDb } from "@/db/client";
import { env } from "@/server/env";
import { processPartitions } from "./process-partitions";
import { RuntimeWorker } from "./worker";

/**
 * A worker's sessions plan every statement once, without sequential scans
 * where an index can serve. Every statement a worker runs reaches its rows by
 * key (queue rows, a batch's customers, their timers, outbox rows by id) and
 * is prepared once per session (executePrepared), its values in parameters:
 * a generic plan is what it is written for, so it is used from the first
 * call (Postgres otherwise plans each of the first five calls, and again
 * whenever a custom plan looks cheaper: the claim takes 2–5 ms to plan). That
 * plan lasts as long as the session: made while a table was still small (a
 * new install, a fresh database, the first minutes of a run), it scanned the
 * whole table on every batch as the table grew, until autovacuum's next
 * ANALYZE replaced it. Measured in bench:e2e's first phase: a claim spent 6
 * of its 7.7 ms scanning every event to find the 29 it had claimed, and a
 * batch's write scanned every pending timer. Without JIT: a scan that has
 * no index to use instead (the lease's count of live workers) is costed as
 * disabled, far above the JIT thresholds, and compiling it took 114 ms every
 * 3 s (found in review); a worker's statements are short, never worth it.
 */
export const workerSessionSettings = { enable_seqscan: "off", plan_cache_mode: "force_generic_plan", jit: "off" };

/**
 * A runtime worker on a pool of its own whose sessions carry its name (so a cut
 * stop can end them, see RuntimeWorker.stop), started: what `npm run worker`
 * and the in-process worker of `npm run dev`/`start` run. `stop` finishes or
 * cuts the round in progress (bounded) and closes the pool, at once when the
 * round was cut; it resolves whether the round finished. Its pause when busy
 * (paceMs) is WAYMARK_WORKER_PACE_MS, its retention WAYMARK_RETENTION_DAYS.
 */
export async function startRuntimeWorker(url: string, log: (line: string) => void): Promise<{ worker: RuntimeWorker; stop: () => Promise<boolean> }> {
  const sessionName = `waymark-worker ${randomUUID().slice(0, 8)}`;
  const db = createDb(url, { max: 4, applicationName: sessionName, settings: workerSessionSettings });
  const days = env().WAYMARK_RETENTION_DAYS;
  const worker = new RuntimeWorker(db, db.$client, { processPartitions, log, sessionName, paceMs: env().WAYMARK_WORKER_PACE_MS, retention: days ? { days } : undefined });
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
