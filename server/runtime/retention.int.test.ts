import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { drainRuntime, trackEvent } from "@/server/testing/runtime";
import { processPartitions } from "./process-partitions";
import { pruneOldData } from "./retention";
import { RuntimeWorker } from "./worker";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
  await db.execute(sql`delete from retention_marks`);
});
afterAll(async () => {
  await db.execute(sql`delete from retention_marks`);
  await db.$end();
});

/** A workspace with old and recent rows of every kind retention looks at; returns what to look them up by. */
async function seed() {
  const { workspace, tag } = await makeWorkspace(db, ["admin"]);
  const ws = workspace.id;
  await appendEvents(db, ws, [trackEvent("ann", `${tag}-old`, "visit"), trackEvent("ann", `${tag}-new`, "visit")], "test");
  await drainRuntime(db);
  // Accepted but not yet processed (no worker ran since): however old, it stays.
  await appendEvents(db, ws, [trackEvent("bob", `${tag}-waiting`, "visit")], "test");
  await db.execute(sql`update events set received_at = now() - interval '40 days' where workspace_id = ${ws} and message_id in (${`${tag}-old`}, ${`${tag}-waiting`})`);
  // A step written 40 days ago: a retention mark taken then, at its id (as a pass then would have taken it); one
  // written since. Their own times (`at`) say nothing: a backfilled event's steps carry the event's time.
  const [old] = (await db.execute(sql`
    insert into step_log (workspace_id, customer_id, at, journey_id, type, detail) values (${ws}, 'ann', now(), 'j', 'enter', '{"tag":"old"}') returning id`)) as unknown as [{ id: string }];
  await db.execute(sql`insert into retention_marks (taken_at, step_log_id) values (now() - interval '40 days', ${old.id})`);
  await db.execute(sql`insert into step_log (workspace_id, customer_id, at, journey_id, type, detail) values (${ws}, 'ann', now() - interval '60 days', 'j', 'enter', '{"tag":"new"}')`);
  await db.execute(sql`
    insert into outbox (workspace_id, key, customer_id, journey_id, node_id, channel, payload, status, created_at) values
      (${ws}, 'old-sent', 'ann', 'j', 'm', 'log', '{}', 'sent', now() - interval '40 days'),
      (${ws}, 'old-dead', 'ann', 'j', 'm', 'log', '{}', 'dead', now() - interval '40 days'),
      (${ws}, 'old-pending', 'ann', 'j', 'm', 'log', '{}', 'pending', now() - interval '40 days'),
      (${ws}, 'old-retrying', 'ann', 'j', 'm', 'log', '{}', 'retrying', now() - interval '40 days'),
      (${ws}, 'new-sent', 'ann', 'j', 'm', 'log', '{}', 'sent', now() - interval '1 day')`);
  const left = async () => ({
    events: ((await db.execute(sql`select message_id as m from events where workspace_id = ${ws} order by message_id`)) as unknown as { m: string }[]).map((r) => r.m.slice(tag.length + 1)),
    steps: ((await db.execute(sql`select detail->>'tag' as t from step_log where workspace_id = ${ws} and journey_id = 'j' order by id`)) as unknown as { t: string }[]).map((r) => r.t),
    messages: ((await db.execute(sql`select key from outbox where workspace_id = ${ws} order by key`)) as unknown as { key: string }[]).map((r) => r.key),
  });
  return { ws, left };
}

describe("retention", () => {
  it("removes processed events, step log rows and final messages older than the period, and keeps the rest", async () => {
    const { ws, left } = await seed();
    expect(await left()).toEqual({ events: ["new", "old", "waiting"], steps: ["old", "new"], messages: ["new-sent", "old-dead", "old-pending", "old-retrying", "old-sent"] });
    // Chunks of one row: the deletes go on chunk after chunk until a table has nothing old left.
    const result = await pruneOldData(db, { days: 30, chunk: 1, workspaceIds: [ws] });
    expect(result).toEqual({ events: 1, stepLog: 1, messages: 2, done: true });
    expect(await left()).toEqual({ events: ["new", "waiting"], steps: ["new"], messages: ["new-sent", "old-pending", "old-retrying"] });
    // The pass took a mark of its own (the next passes' boundary), and the spent one older than the mark in use went.
    const marks = (await db.execute(sql`select taken_at > now() - interval '1 minute' as fresh from retention_marks order by taken_at`)) as unknown as { fresh: boolean }[];
    expect(marks.map((m) => m.fresh)).toEqual([false, true]);
    await db.execute(sql`delete from retention_marks`);
  });

  it("stops after maxChunks and says it is not done; skips while another worker prunes", async () => {
    const { ws, left } = await seed();
    const first = await pruneOldData(db, { days: 30, chunk: 1, maxChunks: 1, workspaceIds: [ws] });
    expect(first?.done).toBe(false);
    // Another worker's chunk holds the lock: this one does nothing and says so.
    const held = db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(727003)`);
      expect(await pruneOldData(db, { days: 30, workspaceIds: [ws] })).toBeNull();
    });
    await held;
    await pruneOldData(db, { days: 30, workspaceIds: [ws] });
    expect(await left()).toMatchObject({ steps: ["new"], messages: ["new-sent", "old-pending", "old-retrying"] });
    await db.execute(sql`delete from retention_marks`);
  });

  it("a worker with retention prunes beside its rounds", async () => {
    const { left } = await seed();
    // No old mark: the worker's pass, over every workspace, leaves the shared database's step log alone (it marks it).
    await db.execute(sql`delete from retention_marks`);
    const lines: string[] = [];
    const worker = new RuntimeWorker(db, db.$client, { processPartitions, pollMs: 100, retention: { days: 30 }, log: (l) => lines.push(l) });
    await worker.start();
    const t0 = Date.now();
    const pruned = async () => !(await left()).messages.includes("old-sent");
    while (!(await pruned()) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
    await worker.stop();
    // (The worker's dispatcher also sends the old pending ones, which then count as sent: not checked here.)
    const after = await left();
    expect(after.messages).toContain("new-sent");
    expect(after.messages).not.toContain("old-sent");
    expect(after.messages).not.toContain("old-dead");
    expect(after.steps).toEqual(["old", "new"]);
    const [{ n }] = (await db.execute(sql`select count(*)::int as n from retention_marks where taken_at > now() - interval '1 minute'`)) as unknown as [{ n: number }];
    expect(n).toBe(1);
    expect(lines.some((l) => /retention \(30 days\): removed \d+ events/.test(l))).toBe(true);
  });
});
