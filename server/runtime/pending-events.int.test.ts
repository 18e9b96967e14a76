import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { events, pendingEvents, stepLog } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { allPartitions, drainRuntime, publishDocument } from "@/server/testing/runtime";
import { claimBatch } from "./claim-work";
import { processPartitions } from "./process-partitions";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

const track = (customerId: string, messageId: string, name = "visit") => ({
  type: "track" as const, userId: customerId, anonymousId: null, customerId, name, properties: {}, traits: {}, context: {}, timestamp: new Date(), messageId,
});

describe("the runtime's queue (pending_events)", () => {
  it("holds each stored event until the batch that processes it commits; a claim that rolls back leaves it queued", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    // Whatever earlier test files left queued goes first, so the claim below meets only this test's events.
    await drainRuntime(db);
    await publishDocument(db, workspace.id, {
      format: "waymark.journey/v1",
      id: `q-${tag}`,
      name: "queue",
      settings: { reentry: "always" },
      nodes: [
        { id: "t", kind: "trigger", config: { event: "visit" } },
        { id: "m", kind: "message", config: { channel: "in_app", template: "hello" } },
      ],
      edges: [{ from: "t", to: "m", handle: "next" }],
    });
    await appendEvents(db, workspace.id, [track(`a-${tag}`, `q1-${tag}`)], "test");
    await appendEvents(db, workspace.id, [track(`a-${tag}`, `q2-${tag}`), track(`b-${tag}`, `q3-${tag}`)], "test");
    const stored = await db.select({ id: events.id, partition: events.partition }).from(events).where(eq(events.workspaceId, workspace.id));
    const queued = async () => (await db.execute(sql`select p.id, p.partition from pending_events p join events e on e.id = p.id where e.workspace_id = ${workspace.id} order by p.id`)) as unknown as { id: string; partition: number }[];
    expect((await queued()).map((r) => [Number(r.id), r.partition])).toEqual(stored.map((r) => [r.id, r.partition]).sort((x, y) => x[0]! - y[0]!));

    // A batch that fails after its claim: the claim's delete rolls back with it.
    const failed = await db
      .transaction(async (tx) => {
        const batch = await claimBatch(tx, { partitions: [...new Set(stored.map((r) => r.partition))], now: new Date(), limit: 100 });
        expect(batch.events.map((e) => e.id).sort()).toEqual(stored.map((r) => r.id).sort());
        throw new Error("worker died");
      })
      .catch((e: Error) => e.message);
    expect(failed).toBe("worker died");
    expect(await queued()).toHaveLength(3);

    await drainRuntime(db);
    expect(await queued()).toHaveLength(0);
    const entered = await db.select().from(stepLog).where(eq(stepLog.workspaceId, workspace.id));
    expect(entered.filter((s) => s.type === "enter")).toHaveLength(3);
  });

  it("drops queued rows whose event is gone (its workspace deleted), counted as handled so the drain goes on to real events behind them", async () => {
    await drainRuntime(db);
    // Ids taken from the events' sequence with no event stored under them: the real event appended after gets a later id.
    const reserved = (await db.execute(sql`select nextval('events_id_seq')::bigint as id from generate_series(1, 30)`)) as unknown as { id: string }[];
    const orphans = reserved.map((r) => ({ id: Number(r.id), partition: 7 }));
    await db.insert(pendingEvents).values(orphans);
    // A batch of 10 meets only orphans: it reports them, so a worker (or drainRuntime) goes round again at once.
    expect(await processPartitions(db, allPartitions, { batchSize: 10 })).toBe(10);
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await appendEvents(db, workspace.id, [track(`late-${tag}`, `late-${tag}`)], "test");
    await drainRuntime(db, { batchSize: 10 });
    expect(await db.select().from(pendingEvents).where(sql`${pendingEvents.id} >= ${orphans[0]!.id}`)).toEqual([]);
    const [left] = (await db.execute(sql`select count(*)::int as n from pending_events p join events e on e.id = p.id where e.workspace_id = ${workspace.id}`)) as unknown as [{ n: number }];
    expect(left.n).toBe(0);
  });
});
