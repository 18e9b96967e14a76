import { randomUUID } from "node:crypto";
import { createDb } from "@/db/client";
import { RuntimeWorker } from "@/server/runtime/worker";
import { nextTimerDue, processPartitions } from "@/server/runtime/process-partitions";
import { ensureDatabase } from "./db-env";

/** `npm run worker`: one runtime worker process (run several side by side; partitions are leased). */
if (!process.env.WAYMARK_SECRETS_KEY && !process.env.AUTH_SECRET) {
  console.error("[secrets] neither WAYMARK_SECRETS_KEY nor AUTH_SECRET is set: using the local development key. Give the worker the same key as the web server, or it cannot read channel secrets.");
}
const { url } = await ensureDatabase("dev");
const sessionName = `waymark-worker ${randomUUID().slice(0, 8)}`;
const db = createDb(url, { max: 4, applicationName: sessionName });
const worker = new RuntimeWorker(db, db.$client, {
  sessionName,
  processPartitions,
  fireDueTimers: (d, partitions) => nextTimerDue(d, partitions),
  log: (line) => console.error(line),
});
await worker.start();
console.error(`[worker] ${worker.id} running`);
// SIGTERM/SIGINT: finish the round in progress and leave, within 12 s in all (process managers kill at 15 s or so). Exit 0
// only when the round finished; 1 when it had to be cut (logged), or when stopping itself hung.
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => {
    console.error(`[worker] ${worker.id} did not stop within 12 s: exiting`);
    process.exit(1);
  }, 12_000).unref();
  const drained = await worker.stop({ drainMs: 8_000 });
  await db.$end(drained ? 2 : 0).catch(() => undefined);
  process.exit(drained ? 0 : 1);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
