import { spawn } from "node:child_process";
import path from "node:path";
import { createDb } from "@/db/client";
import { seedDemo } from "@/db/seed";
import { startRuntimeWorker } from "@/server/runtime/start-worker";
import { ensureDatabase, ensureDevAuthEnv } from "./db-env";

/**
 * The one launcher behind `npm run dev` and `npm start`: database (embedded
 * unless DATABASE_URL is set) → migrations → demo seed → Next.js. Ctrl-C stops
 * Next and then the embedded database, in that order.
 */
export async function runNext(mode: "dev" | "start"): Promise<void> {
  if (mode === "start" && !process.env.AUTH_SECRET) {
    console.error("[auth] AUTH_SECRET is not set; using the local development secret. Set your own in production.");
  }
  ensureDevAuthEnv();
  const { url, embedded } = await ensureDatabase("dev");
  if (mode === "dev" || process.env.WAYMARK_SEED === "1") {
    const db = createDb(url, { max: 2 });
    const res = await seedDemo(db);
    await db.$end();
    console.error(`[seed] demo workspace ready (${res.journeysCreated} new journeys)`);
  }
  // The runtime worker runs beside Next in this process (set WAYMARK_WORKER=0 to run `npm run worker` separately).
  let stopWorker: (() => Promise<boolean>) | undefined;
  if (process.env.WAYMARK_WORKER !== "0") {
    const started = await startRuntimeWorker(url, (l) => console.error(l));
    stopWorker = started.stop;
    console.error(`[worker] ${started.worker.id} running in-process`);
  }
  const port = process.env.PORT ?? "3000";
  const host = process.env.HOSTNAME ?? "127.0.0.1";
  const next = path.join(process.cwd(), "node_modules", ".bin", "next");
  const child = spawn(next, [mode, "-H", host, "-p", port], { stdio: "inherit", env: process.env });
  console.error(`[waymark] http://localhost:${port}  (sign in as admin@demo.waymark.dev / waymark-demo)`);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    await stopWorker?.();
    await embedded?.stop();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  child.on("exit", (code) => void stop(code ?? 1));
}
