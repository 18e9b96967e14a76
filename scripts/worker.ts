import { createDb } from "@/db/client";
import { RuntimeWorker } from "@/server/runtime/worker";
import { nextTimerDue, processPartitions } from "@/server/runtime/process-partitions";
import { ensureDatabase } from "./db-env";

/** `npm run worker`: one runtime worker process (run several side by side; partitions are leased). */
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
