import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Agent, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { sql } from "drizzle-orm";
import { Logger, makeWorkerUtils, run as runGraphileWorker } from "graphile-worker";
import { createDb } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { journeyDocumentSchema } from "@/server/journey";
import { createJourneyIfMissing } from "@/server/journeys/upsert-journey-draft";
import { publishJourney } from "@/server/journeys/publish-journey";
import { ensureDevAuthEnv } from "./db-env";
import { cpuPerEvent, cpuSnapshot, type CpuSnapshot } from "./cpu-split";
import { cpuProfileFlags, FaultCluster, freePort } from "./faults/cluster";
import { createFaultWorkspace } from "./faults/fixture";

/**
 * `npm run bench:e2e`: the whole system on loopback, measured (a benchmark, not
 * a test: it prints figures and fails only if the system loses events). A
 * private embedded Postgres (port WAYMARK_BENCH_PG_PORT, default 54351, never
 * the machine's shared one), the production web server and two runtime
 * workers (BENCH_WORKERS=1 for one) as separate processes, a loopback webhook
 * receiver. Bounded: about two minutes. Needs a production build
 * (`npm run build`).
 *
 *  0. warm-up, not measured: through each way in, BENCH_WARM_MS (6 s) of
 *     single events from 32 clients, then a quarter of that of batches;
 *  1. ingest: events/s accepted, single and batched (100 per request), by
 *     closed loops for a fixed time, with the workers processing meanwhile,
 *     and how long the workers then take to finish the backlog (sustained rate),
 *     through the app (Next.js route handlers) and through the ingestion
 *     listener (`npm run ingest`, the same handlers on plain node:http). The
 *     load comes from node:http clients with keep-alive (undici's fetch spent
 *     about as much CPU per request as the listener does, on the same 2 cores);
 *  2. latency: first the most events/s each way sustains end to end when each
 *     event sends a webhook message (32 clients for half a phase, counted
 *     until the last message arrived); then an open loop of such events at
 *     half that rate (capped at 1,000/s; or BENCH_LATENCY_RATE events/s):
 *     request sent → the receiver has the message, p50 / p99, through the app
 *     and through the listener, each after a checkpoint (checkpointBefore) and
 *     a second of unmeasured warm-up; and where the time went (request →
 *     ingest transaction → worker transaction → sent). A request refused is
 *     counted apart, by status; an accepted event whose message did not come
 *     is a loss, and the run says where it got to;
 *  3. timers: with 100,000 other timers pending (vacuumed and checkpointed, as
 *     a system that has them pending has done), events that wait 3 s then send: how late
 *     each wait fires (outbox row written − due time) and arrives, p50 / p99
 *     (BENCH_DEBUG=1 also prints the latest dozen with their due times, and
 *     any autovacuum or checkpoint during the phase);
 *  4. baselines on the same Postgres: COPY of event rows into a scratch table,
 *     and graphile-worker (0.17.3, the job queue the design compares with)
 *     running a no-op job per event, fed the way the batched phase fed us
 *     (8 clients adding 100 jobs per call) while two runners work (as our
 *     two workers do by default).
 * After each ingest and latency phase, a line says where the machine's CPU
 * went, per event of the phase (scripts/cpu-split.ts: each process's time from
 * /proc, Postgres split by session): what an event costs, in which process,
 * and so how many events per second the cores can carry at that cost.
 */
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
/** A number from the environment: `fallback` when unset, empty or not a number; clamped to [min, max]. */
function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw.trim() === "" ? NaN : Number(raw);
  return Number.isFinite(value) ? Math.max(min, Math.min(max, value)) : fallback;
}
const phaseMs = Number(process.env.BENCH_PHASE_MS ?? 8_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
const log = (line: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);
const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
/** A quantile of milliseconds, as printed. */
const ms = (xs: number[], q: number) => quantile(xs, q).toFixed(0);

if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
  console.error("bench:e2e runs the production web server, and .next has no build: run `npm run build` first.");
  process.exit(1);
}
ensureDevAuthEnv();
const cluster = new FaultCluster({ pgName: "pg-bench", pgPort: Number(process.env.WAYMARK_BENCH_PG_PORT ?? 54351), database: "waymark_bench", logDir: path.join(root, ".test-results", "bench-e2e") });
process.on("exit", () => cluster.killAllNow());
setTimeout(() => {
  console.error("bench:e2e: gave up after 300 s");
  process.exit(1);
}, 300_000).unref();

// The receiver notes when each message arrived, by the event's mid in the message text.
const arrivals = new Map<string, number>();
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const m = /(?:pong|tock) ([\w-]+)/.exec(Buffer.concat(chunks).toString("utf8"));
    if (m && !arrivals.has(m[1]!)) arrivals.set(m[1]!, performance.timeOrigin + performance.now());
    res.end("ok");
  });
});
await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

await cluster.startDatabase(true);
await migrateDatabase(cluster.databaseUrl);
const db = createDb(cluster.databaseUrl, { max: 4, applicationName: "waymark-bench" });
const { workspaceId, apiKey } = await createFaultWorkspace(db, receiverUrl, "whsec_bench_0123456789");
const tock = journeyDocumentSchema.parse({
  format: "waymark.journey/v1",
  id: "bench-tock",
  name: "Bench tock",
  settings: { reentry: "always" },
  nodes: [
    { id: "t", kind: "trigger", config: { event: "tick" } },
    { id: "w", kind: "wait", config: { for: "PT3S" } },
    { id: "m", kind: "message", config: { channel: "webhook", template: "tock {{event.properties.mid}}" } },
  ],
  edges: [{ from: "t", to: "w" }, { from: "w", to: "m" }],
});
const { id: tockId } = await createJourneyIfMissing(db, { workspaceId, createdBy: null, document: tock });
if (!(await publishJourney(db, { workspaceId, journeyId: tockId, userId: null })).ok) throw new Error("could not publish the bench journey");
await cluster.start("web");
// BENCH_WORKERS runs another number of workers (1–4; the README's sizing for 2 cores compares one with two).
const workerCount = Math.trunc(envNumber("BENCH_WORKERS", 2, 1, 4));
for (let i = 0; i < workerCount; i++) await cluster.start(`worker-${String.fromCharCode(97 + i)}`);
const workersText = `${workerCount} worker${workerCount === 1 ? "" : "s"}`;
log(`web server ready in ${await cluster.waitForWeb()} ms; ${workersText}; private Postgres`);
const base = cluster.webUrl;
const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };

// The ingestion listener, beside the app, on the same database.
const ingestPort = await freePort();
const ingest = spawn(process.execPath, [...cpuProfileFlags(), "--import", "tsx", path.join(root, "scripts/ingest.ts")], {
  cwd: root,
  env: { ...process.env, DATABASE_URL: cluster.databaseUrl, INGEST_PORT: String(ingestPort), NODE_ENV: "production" },
  stdio: ["ignore", "ignore", "inherit"],
});
process.on("exit", () => ingest.kill("SIGKILL"));
const ingestBase = `http://127.0.0.1:${ingestPort}`;
for (let i = 0; ; i++) {
  const up = await fetch(`${ingestBase}/`).then(
    () => true,
    () => false,
  );
  if (up) break;
  if (i > 150) throw new Error("the ingestion listener did not start");
  await sleep(200);
}

let seq = 0;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function post(endpoint: "track" | "batch", body: unknown, to = base): Promise<boolean> {
  return postStatus(endpoint, body, to).then((status) => status === 200);
}
/** The answer's status code; 0 when the request got none (connection refused or reset). */
function postStatus(endpoint: "track" | "batch", body: unknown, to = base): Promise<number> {
  const payload = JSON.stringify(body);
  const url = new URL(`${to}/api/v1/${endpoint}`);
  return new Promise((resolve) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(payload) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
    req.end(payload);
  });
}

/**
 * An event that sends a webhook message (the fixture's `ping` journey): customer `${prefix}-${i}`, messageId and
 * message text `${prefix}${i}`, which the receiver notes and the stage query finds by its customer id.
 */
const ping = (prefix: string, i: number) => ({ userId: `${prefix}-${i}`, event: "ping", messageId: `${prefix}${i}`, properties: { mid: `${prefix}${i}` } });

/**
 * A closed loop: `concurrency` clients send back to back for `ms`; returns events accepted per second. Single events are
 * browsing (they send nothing) unless `pings` names a prefix: then they are pings (see ping), and their accepted
 * messageIds come back in `mids`.
 */
async function closedLoop(kind: "batch" | "single", concurrency: number, ms: number, to = base, pings?: string): Promise<{ rate: number; accepted: number; failed: number; mids: string[] }> {
  const until = Date.now() + ms;
  let accepted = 0;
  let failed = 0;
  const mids: string[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        if (kind === "batch") {
          const batch = Array.from({ length: 100 }, () => ({ type: "track", userId: `load-${seq % 5000}`, event: "browse", messageId: `b-${++seq}` }));
          if (await post("batch", { batch }, to)) accepted += 100;
          else failed++;
        } else {
          const event = pings === undefined ? { userId: `load-${seq % 5000}`, event: "browse", messageId: `s-${++seq}` } : ping(pings, ++seq);
          if (await post("track", event, to)) {
            accepted++;
            if (pings !== undefined) mids.push(event.messageId);
          } else failed++;
        }
      }
    }),
  );
  return { rate: accepted / ((performance.now() - t0) / 1000), accepted, failed, mids };
}

/** Waits until the receiver has every message of `mids` or `ms` have passed; returns those that arrived. */
async function awaitArrivals(mids: Iterable<string>, ms = 30_000): Promise<string[]> {
  const waiting = new Set(mids);
  const all = [...waiting];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    for (const m of waiting) if (arrivals.has(m)) waiting.delete(m);
    if (waiting.size === 0) break;
    await sleep(50);
  }
  return all.filter((m) => arrivals.has(m));
}

/**
 * Logs where accepted events whose message did not arrive got to: stored or not, still queued, or their message's
 * outbox status (and last result), counted by state, with a few of each. Each ping is its own customer with one
 * message, so the customer's outbox row is the event's message.
 */
async function logUndelivered(mids: string[]): Promise<void> {
  if (mids.length === 0) return;
  const rows = (await db.execute(sql`
    select m.mid, e.id is not null as stored, p.id is not null as queued, o.status, o.attempts, o.last_result as "lastResult"
    from jsonb_array_elements_text(${JSON.stringify(mids)}::jsonb) as m(mid)
    left join events e on e.workspace_id = ${workspaceId}::uuid and e.message_id = m.mid
    left join pending_events p on p.id = e.id
    left join outbox o on o.workspace_id = e.workspace_id and o.customer_id = e.customer_id`)) as unknown as { mid: string; stored: boolean; queued: boolean; status: string | null; attempts: number | null; lastResult: string | null }[];
  const byState = new Map<string, string[]>();
  for (const r of rows) {
    const state = !r.stored ? "not stored" : r.queued ? "stored, still queued" : r.status === null ? "processed, no message" : `message ${r.status} after ${r.attempts} attempts${r.lastResult ? ` (${r.lastResult.slice(0, 80)})` : ""}`;
    byState.set(state, [...(byState.get(state) ?? []), r.mid]);
  }
  log(`  not delivered: ${[...byState].map(([state, ids]) => `${ids.length} ${state} (${ids.slice(0, 3).join(", ")}${ids.length > 3 ? ", …" : ""})`).join("; ")}`);
}

/** Events not yet processed (the runtime's queue). */
async function pendingCount(): Promise<number> {
  const [row] = (await db.execute(sql`select count(*)::int as n from pending_events`)) as unknown as [{ n: number }];
  return row.n;
}

async function waitProcessed(limitMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const n = await pendingCount();
    if (n === 0 || Date.now() - t0 > limitMs) return n;
    await sleep(250);
  }
}

// 1. Ingest, then how fast the workers process what came in (the rate the whole system sustains).
async function drain(label: string) {
  const pending = await pendingCount();
  const d0 = performance.now();
  const left = await waitProcessed(90_000);
  const seconds = (performance.now() - d0) / 1000;
  log(left ? `workers still had ${left} of ${pending} ${label} events after 90 s` : `workers processed the remaining ${pending.toLocaleString("en")} ${label} events in ${seconds.toFixed(1)} s`);
  return { backlog: pending, seconds, left };
}
// Warm-up, not measured: each way in gets the measured phases' own traffic (single events from 32 clients, then batches
// from 8) until its code is optimised and its connections have their statements prepared. With one second from 4
// clients, as until 2026-12-07, the single phases measured that instead: run alternately, this bench took 525–639
// single events/s through the app and 1,530–1,955 through the listener after 0.5 s of warm-up, 838–842 and 2,244–2,780
// after 8 s (6 s, the default, gave 800–996 and 2,304–2,961 in later runs).
const warmMs = envNumber("BENCH_WARM_MS", 6_000, 0, 60_000);
for (const to of [base, ingestBase]) {
  await closedLoop("single", 32, warmMs, to);
  await closedLoop("batch", 8, warmMs / 4, to);
}
const warmLeft = await waitProcessed(60_000);
log(`warm-up: ${(warmMs / 1000).toFixed(1)} s of single events and ${(warmMs / 4000).toFixed(1)} s of batches through each way in${warmLeft ? `; ${warmLeft} events still unprocessed after 60 s` : ", all processed"}`);
const failedText = (r: { failed: number }) => (r.failed ? `, ${r.failed} failed requests` : "");
/** Where the CPU went from `before` until now, per event of the phase (scripts/cpu-split.ts). */
const cores = availableParallelism();
async function logCpu(before: CpuSnapshot, events: number) {
  const line = cpuPerEvent(before, await cpuSnapshot(db), events, cores);
  if (line) log(`  ${line}`);
}
/**
 * One ingest phase through one way in: a closed loop for a phase (single events from 32 clients, or batches of 100 from
 * 8), then the workers finish the backlog; logs the rate, the drain and the CPU per event. `sustained` is the rate
 * the whole system kept up, ingested and processed.
 */
async function ingestPhase(kind: "single" | "batch", label: string, to: string) {
  const before = await cpuSnapshot(db);
  const loop = await closedLoop(kind, kind === "single" ? 32 : 8, phaseMs, to);
  const how = kind === "single" ? `single through ${label} (/track, 32 clients)` : `batched through ${label} (100 events/request, 8 clients)`;
  log(`ingest ${how}: ${Math.round(loop.rate).toLocaleString("en")} events/s${failedText(loop)}`);
  const drained = await drain(kind === "single" ? "single" : "batched");
  await logCpu(before, loop.accepted);
  return { ...loop, sustained: (loop.rate * phaseMs) / 1000 / (phaseMs / 1000 + drained.seconds) };
}
const single = await ingestPhase("single", "the app", base);
const singleListener = await ingestPhase("single", "the ingestion listener", ingestBase);
const batched = await ingestPhase("batch", "the app", base);
const batchedListener = await ingestPhase("batch", "the ingestion listener", ingestBase);
// Each phase starts from a settled database: the burst left tens of thousands of dead index entries
// (processed events) that autovacuum would clear in a while; without this the latency phase measures that cleanup.
const v0 = performance.now();
await db.execute(sql`vacuum (analyze) events, pending_events, customers, customer_states, outbox, timers, step_log`);
log(`vacuum after the burst: ${((performance.now() - v0) / 1000).toFixed(1)} s`);
/**
 * Before a latency or timer phase: a checkpoint, so that the phase does not pay for the pages that the phases before it
 * dirtied. Those wrote hundreds of thousands of rows; the checkpoint that max_wal_size then asks for writes them out
 * over minutes, and its last step (fsync of the data files) held every commit on this machine for 200–420 ms. In three
 * of nine runs on 2026-12-07 that step fell inside a latency phase, both workers' commits stalled at once, and p99 was
 * 254–264 ms (the other runs: 36–127 ms). Traffic at the phase's rate dirties a small fraction of that; a checkpoint
 * during it still happens in production, on the schedule of the server's checkpoint settings.
 */
async function checkpointBefore(what: string) {
  const t0 = performance.now();
  await db.execute(sql`checkpoint`);
  log(`checkpoint before ${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// 2. Latency through each way in at half the maximum rate of the same traffic (capped so the phase stays bounded), open
// loop. The maximum is measured first: events that each send a webhook message, from 32 clients, counted once their
// messages arrived. Until 2026-12-07 the rate was half the single-event maximum above, of events that send nothing. An
// event that sends costs more (through the app 2–3 times the CPU), so "half" ran the machine at 95% or more, and once the
// single phases were warmed up (see warmMs) the app's latency phase got more than both cores could carry: p50 108–133 ms.
// Half the sending maximum is not half the machine: rounds and groups are smaller at a lower rate, so each event costs
// more (through the app 2.1 ms of CPU at the maximum, 4.4 ms at half of it), and the CPU lines of this phase still show
// the cores 85–95% busy.
// BENCH_LATENCY_RATE fixes the rate instead, to compare two versions at the same load (the half-maximum moves).
const fixedRate = Number(process.env.BENCH_LATENCY_RATE) > 0 ? Math.round(Number(process.env.BENCH_LATENCY_RATE)) : null;
const halfOf = (maximum: number) => fixedRate ?? Math.max(50, Math.min(1_000, Math.round(maximum / 2)));
/**
 * The most events/s one way in sustains end to end for the latency phase's traffic: 32 clients send, back to back for
 * `ms`, events that each send a webhook message, after a second of the same that is not measured (and whose messages
 * have all arrived); the rate counts them until the last message arrived.
 */
async function sendingMaximum(label: string, prefix: string, to: string, ms: number) {
  await awaitArrivals((await closedLoop("single", 32, 1_000, to, `${prefix}w`)).mids);
  const before = await cpuSnapshot(db);
  const t0 = performance.timeOrigin + performance.now();
  const loop = await closedLoop("single", 32, ms, to, prefix);
  const delivered = await awaitArrivals(loop.mids);
  let last = t0;
  for (const m of delivered) last = Math.max(last, arrivals.get(m)!);
  const rate = delivered.length > 0 ? delivered.length / ((last - t0) / 1000) : 0;
  const lost = loop.mids.length - delivered.length;
  await logUndelivered(loop.mids.filter((m) => !arrivals.has(m)));
  log(`events that send a webhook, through ${label} (32 clients): ${Math.round(rate).toLocaleString("en")} events/s sustained (${delivered.length.toLocaleString("en")} messages delivered in ${((last - t0) / 1000).toFixed(1)} s${lost ? `, ${lost} not within 30 s` : ""}${failedText(loop)})`);
  await logCpu(before, delivered.length);
  return { rate, lost };
}
/**
 * Open loop: `count` pings at `rate`/s to `to`, each for a new customer, each answered by a webhook message. Returns the
 * send times of those accepted (answered 200), by mid, and the others' answers (status: count; 0 for no answer): an event
 * that was refused was never accepted, so it is not one the system lost, but the run says it was refused.
 */
async function pings(prefix: string, count: number, rate: number, to: string): Promise<{ sentAt: Map<string, number>; wallAt: Map<string, number>; refused: Map<number, number> }> {
  const sentAt = new Map<string, number>();
  // The system clock too, to compare with Postgres's (the monotonic clock above drifts from it over a run).
  const wallAt = new Map<string, number>();
  const refused = new Map<number, number>();
  const inflight: Promise<unknown>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const event = ping(prefix, i);
    const at = performance.timeOrigin + performance.now();
    const wall = Date.now();
    inflight.push(
      postStatus("track", event, to).then((status) => {
        if (status === 200) {
          sentAt.set(event.messageId, at);
          wallAt.set(event.messageId, wall);
        } else refused.set(status, (refused.get(status) ?? 0) + 1);
      }),
    );
  }
  await Promise.all(inflight);
  return { sentAt, wallAt, refused };
}
const refusedText = (refused: Map<number, number>) =>
  refused.size === 0 ? "" : `; refused: ${[...refused].map(([status, n]) => `${n} × ${status === 0 ? "no answer" : `HTTP ${status}`}`).join(", ")}`;
/**
 * Latency through one way in, after a second of the same traffic that is not measured: the system settles from the
 * closed loop of sendingMaximum to the open loop's rate. (Before that phase existed, the first quarter second of the
 * sending path, compiling the journey and opening the first webhook connection, held every event of that moment for
 * 100–300 ms: alone, more than 1 % of the phase.)
 */
async function latencyThrough(label: string, prefix: string, rate: number, to: string) {
  await checkpointBefore(`the latency phase through ${label}`);
  await pings(`warm${prefix}`, rate, rate, to);
  const total = Math.round((rate * phaseMs) / 1000);
  const before = await cpuSnapshot(db);
  const { sentAt, wallAt, refused } = await pings(prefix, total, rate, to);
  await awaitArrivals(sentAt.keys());
  const cpuLine = cpuPerEvent(before, await cpuSnapshot(db), total, cores);
  const latencies = [...sentAt].filter(([k]) => arrivals.has(k)).map(([k, t]) => arrivals.get(k)! - t);
  log(`ingest → webhook delivered through ${label} at ${rate}/s open loop (${total} events): p50 ${ms(latencies, 0.5)} ms, p99 ${ms(latencies, 0.99)} ms${latencies.length < sentAt.size ? `, ${sentAt.size - latencies.length} accepted but not delivered in 30 s` : ""}${refusedText(refused)}`);
  await logUndelivered([...sentAt.keys()].filter((m) => !arrivals.has(m)));
  // received_at is the start of the ingest transaction that stored the event, created_at that of the worker's that
  // processed it, sent_at when its send ended (the receiver has it just before).
  const stages = (await db.execute(sql`
    select e.message_id as mid, extract(epoch from e.received_at) * 1000 as received,
      extract(epoch from (o.created_at - e.received_at)) * 1000 as processed, extract(epoch from (o.sent_at - o.created_at)) * 1000 as dispatched
    from outbox o join events e on e.workspace_id = o.workspace_id and e.customer_id = o.customer_id
    where o.workspace_id = ${workspaceId}::uuid and o.customer_id like ${`${prefix}-%`} and o.sent_at is not null`)) as unknown as { mid: string; received: string; processed: string; dispatched: string }[];
  const stored = stages.filter((r) => wallAt.has(r.mid)).map((r) => Number(r.received) - wallAt.get(r.mid)!);
  const of = (k: "processed" | "dispatched") => stages.map((r) => Number(r[k]));
  log(
    `  of which: request sent → its ingest transaction began p50 ${ms(stored, 0.5)} ms, p99 ${ms(stored, 0.99)} ms; → the worker's transaction began p50 ${ms(of("processed"), 0.5)} ms, p99 ${ms(of("processed"), 0.99)} ms; ` +
      `→ its message sent p50 ${ms(of("dispatched"), 0.5)} ms, p99 ${ms(of("dispatched"), 0.99)} ms`,
  );
  if (cpuLine) log(`  ${cpuLine}`);
  return { latencies, rate, lost: sentAt.size - latencies.length, refused: total - sentAt.size };
}
const sendingApp = await sendingMaximum("the app", "pmx", base, phaseMs / 2);
const latencyApp = await latencyThrough("the app", "lat", halfOf(sendingApp.rate), base);
const sendingListener = await sendingMaximum("the ingestion listener", "pmxl", ingestBase, phaseMs / 2);
const latencyListener = await latencyThrough("the ingestion listener", "latl", halfOf(sendingListener.rate), ingestBase);

// 3. Timers: 100,000 pending for other customers (due tomorrow), then waits of 3 s.
await db.execute(sql`
  insert into timers (workspace_id, customer_id, due_at, key, payload)
  select ${workspaceId}::uuid, 'pending-' || g, now() + interval '1 day' + g * interval '1 ms', 'score:bench', '{"score": true}'::jsonb
  from generate_series(1, 100000) g`);
// As after the burst: the 100,000 rows just written would otherwise bring autovacuum to the timers table in the middle of
// the phase (a stall of tens of ms for the timers due then); a system that has these timers pending has long vacuumed them.
await db.execute(sql`vacuum (analyze) timers`);
await checkpointBefore("the timer phase");
const timersFrom = new Date();
/** Checkpoints started and done so far, and the WAL position (BENCH_DEBUG: was there a checkpoint during the timer phase?). */
const checkpoints = () => db.execute(sql`select num_timed + num_requested as n, num_done as done, pg_current_wal_lsn()::text as lsn from pg_stat_checkpointer`);
const checkpointsBefore = process.env.BENCH_DEBUG ? await checkpoints() : null;
const ticks = 400;
const tickSent = new Map<string, number>();
for (let i = 0; i < ticks; i++) {
  const mid = `tick${i}`;
  tickSent.set(mid, Date.now());
  await post("track", { userId: `tick-${i}`, event: "tick", messageId: mid, properties: { mid } });
  await sleep(5_000 / ticks);
}
await awaitArrivals(tickSent.keys());
const fired = (await db.execute(sql`
  select extract(epoch from (o.created_at - (e.timestamp + interval '3 seconds'))) * 1000 as late, to_char(e.timestamp + interval '3 seconds', 'MI:SS.MS') as due
  from outbox o join events e on e.workspace_id = o.workspace_id and e.customer_id = o.customer_id
  where o.workspace_id = ${workspaceId}::uuid and o.journey_id = 'bench-tock'`)) as unknown as { late: string }[];
const firedLate = fired.map((r) => Number(r.late));
if (process.env.BENCH_DEBUG) {
  console.log("worst timer lateness", JSON.stringify((fired as unknown as { late: string; due: string }[]).map((r) => [Math.round(Number(r.late)), r.due]).sort((a, b) => Number(b[0]) - Number(a[0])).slice(0, 12)));
  // Autovacuum that ran during the phase (a usual cause of a few late timers).
  const vacuumed = await db.execute(sql`
    select relname, to_char(last_autovacuum, 'MI:SS.MS') as vacuum, to_char(last_autoanalyze, 'MI:SS.MS') as analyze
    from pg_stat_all_tables where last_autovacuum >= ${timersFrom.toISOString()}::timestamptz or last_autoanalyze >= ${timersFrom.toISOString()}::timestamptz`);
  console.log("autovacuum during the timer phase", JSON.stringify(vacuumed));
  console.log("checkpoints before / after the timer phase", JSON.stringify(checkpointsBefore), JSON.stringify(await checkpoints()));
}
const arrivedLate = [...tickSent].filter(([k]) => arrivals.has(k)).map(([k]) => arrivals.get(k)! - 3_000 - tickSent.get(k)!);
log(`timers with 100,000 pending: wait fired late by p50 ${quantile(firedLate, 0.5).toFixed(0)} ms, p99 ${quantile(firedLate, 0.99).toFixed(0)} ms; message arrived late by p50 ${quantile(arrivedLate, 0.5).toFixed(0)} ms, p99 ${quantile(arrivedLate, 0.99).toFixed(0)} ms (${firedLate.length}/${ticks} fired)`);

// 4. Baseline: COPY of as many event-shaped rows as the batched phase accepted in one second.
const copyRows = Math.max(10_000, Math.round(batched.rate));
const client = db.$client;
await client`create unlogged table if not exists bench_copy (like events including all)`;
const columns = ["workspace_id", "customer_id", "type", "name", "properties", "traits", "context", "timestamp", "message_id"];
const writable = await client.unsafe(`copy bench_copy (${columns.join(", ")}) from stdin`).writable();
const c0 = performance.now();
await new Promise<void>((resolve, reject) => {
  writable.on("error", reject);
  writable.on("finish", () => resolve());
  let i = 0;
  const write = () => {
    while (i < copyRows) {
      const ts = new Date().toISOString();
      const line = `${workspaceId}\tcopy-${i % 5000}\ttrack\tbrowse\t{}\t{}\t{}\t${ts}\tc-${i}\n`;
      i++;
      if (!writable.write(line)) return void writable.once("drain", write);
    }
    writable.end();
  };
  write();
});
const copyRate = copyRows / ((performance.now() - c0) / 1000);
log(`baseline COPY into an unlogged scratch table: ${Math.round(copyRate).toLocaleString("en")} rows/s (${copyRows.toLocaleString("en")} rows)`);

// 5. Baseline: graphile-worker, a no-op job per event, as many jobs as the batched phase accepted (capped to stay bounded).
// Two runners (as many as our workers by default), each with 10 concurrent jobs and a local queue of 200: the fastest
// set-up STACK-NOTES measured, whatever BENCH_WORKERS says.
const jobs = Math.min(batched.rate * (phaseMs / 1000), 150_000);
const graphileJobs = Math.max(10_000, Math.round(jobs / 100) * 100);
const utils = await makeWorkerUtils({ connectionString: cluster.databaseUrl });
await utils.migrate();
let done = 0;
const taskList = {
  noop: async () => {
    done++;
  },
};
const runners = await Promise.all(
  [0, 1].map(() =>
    runGraphileWorker({
      connectionString: cluster.databaseUrl,
      concurrency: 10,
      noHandleSignals: true,
      pollInterval: 1_000,
      logger: new Logger(() => () => {}),
      taskList,
      preset: { worker: { localQueue: { size: 200 } } },
    }),
  ),
);
const g0 = performance.now();
let added = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (added < graphileJobs) {
      const from = added;
      added += 100;
      await utils.addJobs(Array.from({ length: 100 }, (_, k) => ({ identifier: "noop", payload: { type: "track", userId: `load-${(from + k) % 5000}`, event: "browse", messageId: `g-${from + k}` } })));
    }
  }),
);
const enqueuedAt = performance.now();
while (done < graphileJobs && performance.now() - g0 < 120_000) await sleep(50);
const graphileSeconds = (performance.now() - g0) / 1000;
const graphileEnqueue = graphileJobs / ((enqueuedAt - g0) / 1000);
const graphileRate = done / graphileSeconds;
await Promise.all(runners.map((r) => r.stop()));
await utils.release();
log(`baseline graphile-worker 0.17.3 (2 runners × 10 jobs, local queue 200): ${done.toLocaleString("en")} of ${graphileJobs.toLocaleString("en")} no-op jobs added (8 clients × 100) and run in ${graphileSeconds.toFixed(1)} s = ${Math.round(graphileRate).toLocaleString("en")} jobs/s end to end; adding alone ${Math.round(graphileEnqueue).toLocaleString("en")} jobs/s`);

const lost = sendingApp.lost + sendingListener.lost + latencyApp.lost + latencyListener.lost + (ticks - arrivedLate.length);
// At these rates (far under the rate limit) a refused request is a failure too, though not a lost event.
const refused = latencyApp.refused + latencyListener.refused;
console.log("");
console.log(`bench:e2e summary (this machine, loopback, ${workersText}):`);
const n = (x: number) => Math.round(x).toLocaleString("en");
console.log(`  ingest batched ${n(batched.rate)} events/s through the app, ${n(batchedListener.rate)} through the ingestion listener (goal ≥ 10,000)`);
console.log(`  ingest single ${n(single.rate)} events/s through the app, ${n(singleListener.rate)} through the ingestion listener (goal ≥ 3,000)`);
console.log(`  sustained end to end (ingested and processed by the workers), batched: ${n(batched.sustained)} events/s through the app, ${n(batchedListener.sustained)} through the listener`);
const latencyText = (l: typeof latencyApp, way: string) =>
  `p50 ${ms(l.latencies, 0.5)} ms, p99 ${ms(l.latencies, 0.99)} ms through ${way} at ${l.rate}/s${l.refused ? ` (${l.refused} requests refused, not measured)` : ""}`;
console.log(`  ingest → dispatch: ${latencyText(latencyApp, "the app")}; ${latencyText(latencyListener, "the listener")} (goal p99 ≤ 25 ms at half the maximum rate; events that send a message: at most ${n(sendingApp.rate)}/s through the app, ${n(sendingListener.rate)}/s through the listener${fixedRate ? "; rate fixed by BENCH_LATENCY_RATE" : "; cap 1,000/s"})`);
console.log(`  timer lateness (100k pending): p50 ${quantile(firedLate, 0.5).toFixed(0)} ms, p99 ${quantile(firedLate, 0.99).toFixed(0)} ms (goal p99 ≤ 20 ms)`);
console.log(`  COPY baseline ${Math.round(copyRate).toLocaleString("en")} rows/s; batched ingest is ${((100 * batched.rate) / copyRate).toFixed(1)}% of it`);
console.log(`  graphile-worker baseline, no-op job per event, added and run: ${n(graphileRate)} jobs/s; Waymark sustained is ${(batched.sustained / graphileRate).toFixed(2)}× it through the app, ${(batchedListener.sustained / graphileRate).toFixed(2)}× through the listener (goal ≥ 1.0×)`);
ingest.kill("SIGTERM");
await db.$end();
await cluster.stopWorkers();
await cluster.shutdown();
receiver.close();
if (lost + refused > 0) console.log(`  FAILED: ${lost} accepted events lost (their messages did not arrive), ${refused} requests refused in the latency phases (see above)`);
process.exit(lost + refused > 0 ? 1 : 0);
