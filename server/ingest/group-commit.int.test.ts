import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { customers, events } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { wakeChannel } from "@/server/runtime/wake-channel";
import { queuedEvents } from "@/server/testing/runtime";
import { appendEvents } from "./append-events";
import type { NormalizedEvent } from "./event-schema";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

const track = (customerId: string, messageId: string, traits: Record<string, unknown> = {}, properties: Record<string, unknown> = {}): NormalizedEvent => ({
  type: "track", userId: customerId, anonymousId: null, customerId, name: "visit", properties, traits, context: {}, timestamp: new Date(), messageId,
});

describe("single-event requests stored together (group commit)", () => {
  it("stores concurrent requests in few commits, each event once, a customer's events in the order they came, profiles as if one by one", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const first = await appendEvents(db, workspace.id, [track(`c0-${tag}`, `m-pre-${tag}`)], "test");
    expect(first).toEqual({ accepted: 1, duplicates: 0 });

    // 30 customers × 5 events, interleaved, sent at once; then repeats of stored and of in-flight messageIds.
    const calls: { customer: string; mid: string; n: number; expectDuplicate: boolean }[] = [];
    for (let n = 0; n < 5; n++) for (let c = 0; c < 30; c++) calls.push({ customer: `c${c}-${tag}`, mid: `m-${c}-${n}-${tag}`, n, expectDuplicate: false });
    calls.push({ customer: `c0-${tag}`, mid: `m-pre-${tag}`, n: 99, expectDuplicate: true }); // stored before
    const answers = await Promise.all([
      ...calls.map((c) => appendEvents(db, workspace.id, [track(c.customer, c.mid, { n: c.n, [`seen${c.n}`]: true })], "test")),
      // Two customers' requests with one messageId, at the same time: exactly one is stored, the other is told it is a duplicate.
      appendEvents(db, workspace.id, [track(`x-${tag}`, `shared-${tag}`)], "test"),
      appendEvents(db, workspace.id, [track(`y-${tag}`, `shared-${tag}`)], "test"),
    ]);
    const [x, y] = answers.slice(-2);
    calls.forEach((c, i) => expect(answers[i], c.mid).toEqual(c.expectDuplicate ? { accepted: 1, duplicates: 1 } : { accepted: 1, duplicates: 0 }));
    expect([x!.duplicates, y!.duplicates].sort()).toEqual([0, 1]);
    const shared = await db.select({ customerId: events.customerId }).from(events).where(and(eq(events.workspaceId, workspace.id), eq(events.messageId, `shared-${tag}`)));
    expect(shared).toEqual([{ customerId: x!.duplicates === 0 ? `x-${tag}` : `y-${tag}` }]);

    const stored = await db
      .select({ id: events.id, customerId: events.customerId, messageId: events.messageId, tx: sql<string>`xmin::text` })
      .from(events)
      .where(eq(events.workspaceId, workspace.id))
      .orderBy(events.id);
    expect(stored).toHaveLength(152);
    expect(new Set(stored.map((r) => r.messageId)).size).toBe(152);
    // Grouped: 153 requests in far fewer commits (each customer's five events take five turns; up to four groups at once).
    expect(new Set(stored.map((r) => r.tx)).size).toBeLessThanOrEqual(40);
    for (let c = 0; c < 30; c++) {
      const mine = stored.filter((r) => r.customerId === `c${c}-${tag}` && r.messageId !== `m-pre-${tag}`).map((r) => r.messageId);
      expect(mine).toEqual([0, 1, 2, 3, 4].map((n) => `m-${c}-${n}-${tag}`));
    }
    // Every new event is queued for the runtime, once.
    const queued = await queuedEvents(db, workspace.id);
    expect(queued.map((q) => q.id).sort((a, b) => a - b)).toEqual(stored.map((r) => r.id));

    const profiles = (await db.select().from(customers).where(eq(customers.workspaceId, workspace.id))).filter((p) => /^c\d+-/.test(p.customerId));
    expect(profiles).toHaveLength(30);
    for (const p of profiles) expect(p.traits).toMatchObject({ n: 4, seen0: true, seen1: true, seen2: true, seen3: true, seen4: true });
  });

  it("a request whose event cannot be stored fails alone: the others grouped with it are stored and answered", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const bad = track(`bad-${tag}`, `bad-${tag}`, {}, { text: "nul \u0000 inside" }); // jsonb refuses NUL (ingestion's validation would have)
    const sent = [
      // The first four go at once, each alone (four groups in flight); the last two queue behind them as one group.
      appendEvents(db, workspace.id, [track(`lead-${tag}`, `lead-${tag}`)], "test"),
      ...[0, 1, 2].map((i) => appendEvents(db, workspace.id, [track(`ok${i}-${tag}`, `ok${i}-${tag}`)], "test")),
      appendEvents(db, workspace.id, [bad], "test"),
      appendEvents(db, workspace.id, [track(`ok3-${tag}`, `ok3-${tag}`)], "test"),
    ];
    const settled = await Promise.allSettled(sent);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled", "rejected", "fulfilled"]);
    const stored = await db.select({ messageId: events.messageId }).from(events).where(eq(events.workspaceId, workspace.id));
    expect(stored.map((r) => r.messageId).sort()).toEqual([`lead-${tag}`, `ok0-${tag}`, `ok1-${tag}`, `ok2-${tag}`, `ok3-${tag}`].sort());
    const badProfile = await db.select().from(customers).where(and(eq(customers.workspaceId, workspace.id), eq(customers.customerId, `bad-${tag}`)));
    expect(badProfile).toHaveLength(0);
  });

  it("wakes the workers that hold the new events' partitions, alone or under load, and not for a duplicate", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const heard: string[] = [];
    const listener = await db.$client.listen(wakeChannel, (payload) => heard.push(payload));
    const settle = () => new Promise((r) => setTimeout(r, 300));
    const partitionsOf = async () => new Set((await db.select({ p: events.partition }).from(events).where(eq(events.workspaceId, workspace.id))).map((r) => String(r.p)));
    const heardPartitions = () => new Set(heard.flatMap((p) => p.split(",")));
    try {
      await settle();
      heard.length = 0;
      await appendEvents(db, workspace.id, [track(`alone-${tag}`, `a-${tag}`)], "test");
      await settle();
      expect(heard).toEqual([...(await partitionsOf())]);

      expect(await appendEvents(db, workspace.id, [track(`alone-${tag}`, `a-${tag}`)], "test")).toEqual({ accepted: 1, duplicates: 1 });
      await settle();
      expect(heard).toHaveLength(1); // nothing new for the duplicate

      await Promise.all(Array.from({ length: 60 }, (_, i) => appendEvents(db, workspace.id, [track(`many${i}-${tag}`, `b${i}-${tag}`)], "test")));
      await settle();
      const expected = await partitionsOf();
      expect(expected.size).toBeGreaterThan(10);
      for (const p of expected) expect(heardPartitions().has(p), `partition ${p}`).toBe(true);
    } finally {
      await listener.unlisten();
    }
  });
});
