import { startRuntimeWorker } from "@/server/runtime/start-worker";
import { ensureDatabase } from "./db-env";

/** `npm run worker`: one runtime worker process (run several side by side; partitions are leased). */
if (!process.env.WAYMARK_SECRETS_KEY && !process.env.AUTH_SECRET) {
  console.error("[secrets] neither WAYMARK_SECRETS_KEY nor AUTH_SECRET is set: using the local development key. Give the worker the same key as the web server, or it cannot read channel secrets.");
}
const { url } = await ensureDatabase("dev");
const { worker, stop: stopWorker } = await startRuntimeWorker(url, (line) => console.error(line));
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
  process.exit((await stopWorker()) ? 0 : 1);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
