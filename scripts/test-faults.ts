import { existsSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { createDb, type Db } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { ensureDevAuthEnv } from "./db-env";
import { FaultCluster } from "./faults/cluster";
import { sendEventLoad, type LoadStats } from "./faults/event-load";
import { createFaultWorkspace, startReceiver } from "./faults/fixture";
import { tallyFaultRun } from "./faults/tally";

/**
 * `npm run test:faults`: the whole system under faults. A private embedded
 * Postgres (port WAYMARK_FAULTS_PG_PORT, default 54349, data in .data/pg-faults;
 * never the machine's shared Postgres), the production web server and two
 * runtime workers as separate processes, a loopback webhook receiver. A steady
 * load of events goes in over HTTP while we SIGKILL a worker, SIGKILL the web
 * server, stop Postgres, and SIGKILL the other worker, restarting each. Then,
 * within a bound, every accepted event must be processed and its one message
 * delivered: see ./faults/tally.ts for what "exactly once" means. A process
 * that dies on its own is restarted, as a process manager would, and fails the
 * run unless it is the known postgres.js crash (see ./faults/cluster.ts).
 * Needs a production build (`npm run build`). Exit 0 only when nothing was
 * lost or duplicated, no process crashed otherwise, and every worker stopped
 * cleanly on SIGTERM at the end.
 */
const total = Number(process.env.FAULTS_EVENTS ?? 3000);
const loadMs = 30_000;
const convergeMs = 120_000;
const hardLimitMs = 280_000;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const started = Date.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => console.log(`[faults ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);

if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
  console.error("test:faults runs the production web server, and .next has no build: run `npm run build` first.");
  process.exit(1);
}
ensureDevAuthEnv();
const cluster = new FaultCluster({ pgName: "pg-faults", pgPort: Number(process.env.WAYMARK_FAULTS_PG_PORT ?? 54349), database: "waymark_faults", logDir: path.join(root, ".test-results", "faults") });
process.on("exit", () => cluster.killAllNow());
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));
setTimeout(() => {
  console.error(`faults: gave up after ${hardLimitMs / 1000} s`);
  process.exit(1);
}, hardLimitMs).unref();

const secret = "whsec_faults_0123456789";
const receiver = await startReceiver(secret);
await cluster.startDatabase(true);
await migrateDatabase(cluster.databaseUrl);
const db = createDb(cluster.databaseUrl, { max: 3 });
const { workspaceId, apiKey } = await createFaultWorkspace(db, receiver.url, secret);
log(`private Postgres at ${cluster.databaseUrl.replace(/:[^:@]*@/, ":***@")}; logs in ${path.relative(root, path.join(root, ".test-results", "faults"))}/`);

await cluster.start("web");
await cluster.start("worker-a");
await cluster.start("worker-b");
log(`web server ready in ${await cluster.waitForWeb()} ms at ${cluster.webUrl}`);
await cluster.waitForWorker("worker-a");
await cluster.waitForWorker("worker-b");

// Faults, at fixed times into the load. Each restart happens while Postgres is up (a worker needs it to start).
const faults: { at: number; what: string; run: () => Promise<void> }[] = [
  {
    at: 4_000,
    what: "SIGKILL worker a, start it again",
    run: async () => {
      await cluster.kill("worker-a");
      await sleep(1_000);
      await cluster.start("worker-a");
    },
  },
  {
    at: 10_000,
    what: "SIGKILL the web server, start it again",
    run: async () => {
      await cluster.kill("web");
      await cluster.start("web");
      log(`web server back in ${await cluster.waitForWeb()} ms`);
    },
  },
  {
    at: 16_000,
    what: "stop Postgres for 3 s, start it again",
    run: async () => {
      await cluster.stopDatabase();
      await sleep(3_000);
      await cluster.startDatabase();
    },
  },
  {
    // After the Postgres restart: the surviving worker must notice its lease session died and rebalance.
    at: 23_000,
    what: "SIGKILL worker b, start it again",
    run: async () => {
      await cluster.kill("worker-b");
      await sleep(1_000);
      await cluster.start("worker-b");
    },
  },
];
const loadStart = Date.now();
const runFaults = (async () => {
  for (const f of faults) {
    await sleep(loadStart + f.at - Date.now());
    log(`${((Date.now() - loadStart) / 1000).toFixed(1)} s into the load: ${f.what}`);
    await f.run();
  }
})();
const load: LoadStats = await sendEventLoad({
  baseUrl: cluster.webUrl,
  apiKey,
  total,
  batchSize: 10,
  durationMs: loadMs,
  concurrency: 8,
  deadline: loadStart + loadMs + 60_000,
  event: (n) => ({ userId: `c${n % 300}`, event: "ping", messageId: `f-${n}`, properties: { mid: `f-${n}`, n } }),
});
await runFaults;
log(`load done: ${load.accepted.size}/${total} events accepted in ${load.requests} requests (${load.retries} retries)`);

// Recovery: bounded wait until every stored event is processed and every queued message sent and delivered.
type Progress = { stored: number; processed: number; queued: number; sent: number };
const progress = async (d: Db): Promise<Progress> =>
  ((await d.execute(sql`select
    (select count(*)::int from events where workspace_id = ${workspaceId}) as stored,
    (select count(*)::int from events e where workspace_id = ${workspaceId} and not exists (select 1 from pending_events p where p.id = e.id)) as processed,
    (select count(*)::int from outbox where workspace_id = ${workspaceId}) as queued,
    (select count(*)::int from outbox where workspace_id = ${workspaceId} and status = 'sent') as sent`)) as unknown as [Progress])[0];
const convergeUntil = Date.now() + convergeMs;
let last: Progress = { stored: 0, processed: 0, queued: 0, sent: 0 };
for (let i = 0; Date.now() < convergeUntil; i++) {
  last = await progress(db).catch(() => last);
  const delivered = new Set(receiver.deliveries.map((d) => d.key)).size;
  if (last.processed === last.stored && last.queued >= last.stored && last.sent === last.queued && delivered >= last.queued) break;
  if (i % 20 === 0) log(`waiting: ${JSON.stringify({ ...last, delivered })}`);
  await sleep(250);
}
const converged = last.processed === last.stored && last.sent === last.queued;
log(`${converged ? "recovered" : "NOT recovered"}: ${JSON.stringify(last)}`);
if (!converged) {
  // Who holds which partition, and where the unprocessed events are: enough to tell a stuck worker from a lost lease.
  const locks = await db.execute(sql`select l.pid, array_agg(l.objid order by l.objid) as partitions, a.application_name, a.state
    from pg_locks l left join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.classid = 727001 group by l.pid, a.application_name, a.state`);
  const stuck = await db.execute(sql`select p.partition, count(*)::int as n from pending_events p join events e on e.id = p.id where e.workspace_id = ${workspaceId} group by p.partition order by p.partition`);
  const workers = await db.execute(sql`select id, now() - heartbeat_at as age from runtime_workers`);
  log(`advisory locks: ${JSON.stringify(locks)}`);
  log(`unprocessed by partition: ${JSON.stringify(stuck)}`);
  log(`runtime_workers: ${JSON.stringify(workers)}`);
}

const exitCodes = await cluster.stopWorkers();
const storedRows = (await db.execute(sql`select message_id as "messageId", not exists (select 1 from pending_events p where p.id = e.id) as processed from events e where workspace_id = ${workspaceId}`)) as unknown as { messageId: string; processed: boolean }[];
const outboxRows = (await db.execute(sql`select key, status, payload->>'body' as body from outbox where workspace_id = ${workspaceId}`)) as unknown as { key: string; status: string; body: string | null }[];
await db.$end();
await cluster.shutdown();
await receiver.close();

const tally = tallyFaultRun({
  accepted: load.accepted,
  stored: new Map(storedRows.map((r) => [r.messageId, r.processed])),
  outbox: outboxRows.map((r) => ({ key: r.key, status: r.status, messageId: /^pong (\S+)$/.exec(r.body ?? "")?.[1] ?? null })),
  deliveries: receiver.deliveries,
});
// A message in flight when its dispatcher died is sent again after its lease: at most what one worker sends at once per
// fault that can cut a dispatch (two worker kills, the Postgres stop, any crash). That is a runtime batch's messages,
// sent as the batch commits (up to its 500 events' worth), or one outbox claim (200), whichever the worker was doing.
const wireRepeatBound = 500 * (3 + cluster.driverCrashes.length + cluster.unexpectedExits.length);
const problems = [
  ...cluster.unexpectedExits,
  ...[...exitCodes].filter(([, code]) => code !== 0).map(([name, code]) => `${name} did not stop cleanly on SIGTERM (exit ${code ?? "killed after 15 s"})`),
  ...load.rejected.slice(0, 5).map((r) => `rejected: ${r}`),
  ...(load.accepted.size < total ? [`only ${load.accepted.size} of ${total} events were accepted before the deadline`] : []),
  ...(tally.strays > 0 ? [`${tally.strays} deliveries carried an Idempotency-Key no outbox row has`] : []),
  ...(tally.wireRepeats > wireRepeatBound ? [`${tally.wireRepeats} wire repeats, more than ${wireRepeatBound}`] : []),
  ...(receiver.badSignatures > 0 ? [`${receiver.badSignatures} deliveries had a bad signature`] : []),
  ...(tally.duplicates > 0 || tally.lost > 0 ? tally.examples : []),
];
const failures = [...load.failures].map(([why, f]) => `${why} ×${f.n} at ${(f.first / 1000).toFixed(1)}–${(f.last / 1000).toFixed(1)} s`).join(", ") || "none";
console.log(`faults: client retries ${load.retries} (${failures}), duplicate acks ${load.duplicateAcks}, wire repeats ${tally.wireRepeats} (same Idempotency-Key), unacknowledged but stored ${tally.unacknowledged}, took ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const c of cluster.driverCrashes) console.log(`faults: ⚠ ${c}: the known postgres.js 3.4.9 crash (porsager/postgres#1208); restarted, as a process manager would`);
for (const p of problems) console.log(`faults: ✘ ${p}`);
console.log(`faults: accepted ${tally.accepted}, processed ${tally.processed}, dispatched ${tally.dispatched}, duplicates ${tally.duplicates}, lost ${tally.lost}`);
process.exit(tally.duplicates === 0 && tally.lost === 0 && problems.length === 0 ? 0 : 1);
