import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { events, outbox, pendingEvents, timers } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { getOpsReport } from "./ops-report";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

describe("the ops report", () => {
  it("counts ingest per minute, queue lag, timers due and delivery outcomes of its own workspace only", async () => {
    const { workspace } = await makeWorkspace(db, ["admin"]);
    const other = await makeWorkspace(db, ["admin"]);
    const [{ now }] = (await db.execute(sql`select now() as now`)) as unknown as [{ now: string }];
    const t = new Date(now).getTime();
    const ago = (ms: number) => new Date(t - ms);
    const event = (workspaceId: string, id: string, receivedAt: Date, processed: boolean) => ({
      row: { workspaceId, customerId: "c", messageId: id, type: "track" as const, name: "visit", timestamp: receivedAt, receivedAt },
      processed,
    });
    const stored = [
      event(workspace.id, "a", ago(5 * 60_000), true),
      event(workspace.id, "b", ago(5 * 60_000 + 1000), true),
      event(workspace.id, "c", ago(2 * 60_000), false),
      event(workspace.id, "old", ago(3 * 3600_000), true),
      event(other.workspace.id, "x", ago(60_000), false),
    ];
    const rows = await db.insert(events).values(stored.map((e) => e.row)).returning({ id: events.id, partition: events.partition });
    // The unprocessed ones are still in the runtime's queue.
    await db.insert(pendingEvents).values(rows.filter((_, i) => !stored[i]!.processed));
    await db.insert(timers).values([
      { workspaceId: workspace.id, customerId: "c", dueAt: ago(30_000), key: "k1", payload: {} },
      { workspaceId: workspace.id, customerId: "d", dueAt: new Date(t + 30 * 60_000), key: "k2", payload: {} },
      { workspaceId: workspace.id, customerId: "e", dueAt: new Date(t + 24 * 3600_000), key: "k3", payload: {} },
    ]);
    const msg = (key: string, channel: string, status: "sent" | "retrying" | "dead" | "pending", attempts: number, lastResult: string | null) => ({
      workspaceId: workspace.id, key, customerId: "c", journeyId: "j", nodeId: "m", channel, payload: {}, status, attempts, lastResult, createdAt: ago(10 * 60_000), sentAt: status === "sent" ? ago(4 * 60_000) : null,
    });
    await db.insert(outbox).values([
      msg("1", "email", "sent", 1, "250 ok"),
      msg("2", "email", "sent", 2, "250 ok"),
      msg("3", "webhook", "dead", 5, "HTTP 500 from receiver"),
      msg("4", "webhook", "retrying", 3, "ECONNREFUSED"),
      msg("5", "webhook", "pending", 0, null),
    ]);

    const r = await getOpsReport(db, workspace.id);
    expect(r.ingest.lastHour).toBe(3);
    expect(r.ingest.perMinute.reduce((s, p) => s + p.events, 0)).toBe(3);
    expect(r.queue.unprocessed).toBe(1);
    expect(r.queue.oldestAgeMs).toBeGreaterThanOrEqual(2 * 60_000 - 1000);
    expect(r.queue.oldestAgeMs).toBeLessThan(3 * 60_000);
    expect(r.timers).toMatchObject({ pending: 3, overdue: 1, nextHour: 2 });
    expect(r.timers.oldestOverdueMs).toBeGreaterThanOrEqual(29_000);
    expect(r.dispatch).toMatchObject({ sent24h: 2, pending: 1, retrying: 1, dead24h: 1, retries24h: 1 + 4 + 2 });
    expect(r.dispatch.perMinute.reduce((s, p) => s + p.sent, 0)).toBe(2);
    expect(r.channels).toEqual([
      { channel: "email", sent: 2, retrying: 0, dead: 0, skipped: 0 },
      { channel: "webhook", sent: 0, retrying: 1, dead: 1, skipped: 0 },
    ]);
    expect(r.errors.map((e) => [e.status, e.lastResult])).toEqual(expect.arrayContaining([["dead", "HTTP 500 from receiver"], ["retrying", "ECONNREFUSED"]]));
    expect(r.errors).toHaveLength(2);

    const empty = await getOpsReport(db, (await makeWorkspace(db, ["admin"])).workspace.id);
    expect(empty).toMatchObject({ ingest: { lastHour: 0 }, queue: { unprocessed: 0, oldestAgeMs: null }, timers: { pending: 0, overdue: 0, oldestOverdueMs: null }, channels: [], errors: [] });
  });
});
