import { createDb } from "@/db/client";
import { RuntimeWorker } from "@/server/runtime/worker";
import { nextTimerDue, processPartitions } from "@/server/runtime/process-partitions";
import { ensureDatabase } from "./db-env";

/** `npm run worker`: one runtime worker process (run several side by side; partitions are leased). */
if (!process.env.WAYMARK_SECRETS_KEY && !process.env.AUTH_SECRET) {
  console.error("[secrets] neither WAYMARK_SECRETS_KEY nor AUTH_SECRET is set: using the local development key. Give the worker the same key as the web server, or it cannot read channel secrets.");
}
const { url } = await ensureDatabase("dev");
const db = createDb(url, { max: 4 });
const worker = new RuntimeWorker(db, db.$client, {
  processPartitions,
  fireDueTimers: (d, partitions) => nextTimerDue(d, partitions),
  log: (line) => console.error(line),
});
await worker.start();
console.error(`[worker] ${worker.id} running`);
const stop = async () => {
  await worker.stop();
  await db.$end();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
