import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { connectTestDb } from "@/db/testing";

/**
 * `npm run worker` must stop on SIGTERM within a bound, whatever its database
 * calls are doing: a process manager (and the fault suite) waits 15 s and then
 * kills. A query stuck behind a lock (or on a half-open connection) never
 * returns by itself. (The pool's own bounded close: db/client.int.test.ts.)
 */
const root = path.resolve(__dirname, "../..");
let db: Db;
const children: ChildProcess[] = [];

type Worker = { child: ChildProcess; log: () => string; exited: Promise<{ code: number | null; ms: number }> };
async function startWorker(): Promise<Worker> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts/worker.ts")], { cwd: root, env: { ...process.env }, stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  let log = "";
  child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  let signalledAt = 0;
  const exited = new Promise<{ code: number | null; ms: number }>((r) => child.once("exit", (code) => r({ code, ms: Date.now() - signalledAt })));
  const until = Date.now() + 30_000;
  while (!log.includes("running")) {
    if (Date.now() > until || child.exitCode !== null) throw new Error(`the worker did not start: ${log}`);
    await sleep(50);
  }
  const kill = child.kill.bind(child);
  child.kill = (signal?: NodeJS.Signals | number) => ((signalledAt = Date.now()), kill(signal));
  return { child, log: () => log, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Holds an exclusive lock on the outbox until `release`: the worker's next dispatch claim waits on it. Resolves once it waits. */
async function blockDispatch(): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const tx = db.transaction(async (t) => {
    await t.execute(sql`lock table outbox in access exclusive mode`);
    locked();
    await released;
  });
  await isLocked;
  const until = Date.now() + 10_000;
  for (;;) {
    const rows = (await db.execute(sql`
      select pid from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and query ilike '%outbox%' and pid <> pg_backend_pid()`)) as unknown as { pid: number }[];
    if (rows.length > 0) return { release: async () => (release(), await tx) };
    if (Date.now() > until) throw new Error("the worker's dispatch never waited on the outbox lock");
    await sleep(50);
  }
}

beforeAll(async () => {
  db = await connectTestDb();
  await db.execute(sql`delete from runtime_workers`);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await db.execute(sql`delete from runtime_workers`);
  await db.$end();
});

describe("worker shutdown", () => {
  it("exits within its bound on SIGTERM while a database call does not return, and says so", { timeout: 60_000 }, async () => {
    const worker = await startWorker();
    const { release } = await blockDispatch();
    try {
      worker.child.kill("SIGTERM");
      const { code, ms } = await Promise.race([worker.exited, sleep(20_000).then(() => ({ code: -1, ms: 20_000 }))]);
      expect(ms).toBeLessThan(14_000);
      expect(code).toBe(1); // not a clean stop: its round was cut (and rolled back)
      expect(worker.log()).toMatch(/did not finish its round/);
      // Nothing of the cut round outlives the worker, even while the lock it waits on is still held: its session was
      // ended before its partitions were released (a closed socket alone leaves the backend waiting).
      // (Listed by session name and statement, so that a failure says whose session it was.)
      const waiting = (await db.execute(sql`select application_name as app, left(query, 120) as query from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)) as unknown as { app: string; query: string }[];
      expect(waiting).toEqual([]);
    } finally {
      await release();
    }
  });
});
