import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { events, journeys, outbox, pendingEvents, stepLog } from "@/db/schema";
import { publishJourney } from "@/server/journeys/publish-journey";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { journey } from "@/server/journey/test-helpers";
import { allPartitions, drainRuntime, publishDocument, queuedEvents, trackEvent } from "@/server/testing/runtime";
import { claimBatch } from "./claim-work";
import { processPartitions } from "./process-partitions";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

const track = (customerId: string, messageId: string, name = "visit") => trackEvent(customerId, messageId, name);

describe("the runtime's queue (pending_events)", () => {
  it("holds each stored event until the batch that processes it commits; a claim that rolls back leaves it queued", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    // Whatever earlier test files left queued goes first, so the claim below meets only this test's events.
    await drainRuntime(db);
    await publishDocument(db, workspace.id, journey(`q-${tag}`, [["t", "trigger", { event: "visit" }], ["m", "message", { channel: "in_app", template: "hello" }]], ["t>m"], { reentry: "always" }));
    await appendEvents(db, workspace.id, [track(`a-${tag}`, `q1-${tag}`)], "test");
    await appendEvents(db, workspace.id, [track(`a-${tag}`, `q2-${tag}`), track(`b-${tag}`, `q3-${tag}`)], "test");
    const stored = await db.select({ id: events.id, partition: events.partition }).from(events).where(eq(events.workspaceId, workspace.id));
    const queued = () => queuedEvents(db, workspace.id);
    expect(await queued()).toEqual(stored.sort((x, y) => x.id - y.id));

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
    expect(await queuedEvents(db, workspace.id)).toEqual([]);
  });

  it("carries what the batch's workspaces need, with the older versions their customers' instances are pinned to", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await drainRuntime(db);
    const slug = `pin-${tag}`;
    const doc = (text: string) => journey(slug, [["t", "trigger", { event: "visit" }], ["w", "wait", { for: "PT1H" }], ["m", "message", { channel: "in_app", template: text }]], ["t>w", "w>m"]);
    const journeyId = await publishDocument(db, workspace.id, doc("first"));
    await appendEvents(db, workspace.id, [track(`a-${tag}`, `p1-${tag}`)], "test");
    await drainRuntime(db);
    // Version 2 goes live while customer a waits in version 1.
    await db.update(journeys).set({ draft: doc("second") as unknown as Record<string, unknown> }).where(eq(journeys.id, journeyId));
    expect((await publishJourney(db, { workspaceId: workspace.id, journeyId, userId: null })).ok).toBe(true);

    await appendEvents(db, workspace.id, [track(`a-${tag}`, `p2-${tag}`, "other"), track(`b-${tag}`, `p3-${tag}`)], "test");
    const partitions = (await db.select({ partition: events.partition }).from(events).where(eq(events.workspaceId, workspace.id))).map((r) => r.partition);
    const batch = await db
      .transaction(async (tx) => {
        const claimed = await claimBatch(tx, { partitions: [...new Set(partitions)], now: new Date(), limit: 100 });
        throw Object.assign(new Error("look only"), { claimed });
      })
      .catch((e: { claimed: Awaited<ReturnType<typeof claimBatch>> }) => e.claimed);
    expect(batch.events).toHaveLength(2);
    expect(batch.context.versions.filter((v) => v.slug === slug).map((v) => [v.version, v.current]).sort()).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(batch.context.settings.map((s) => s.id)).toEqual([workspace.id]);

    // Run for real, then two hours later: a finishes in version 1, b in version 2.
    await drainRuntime(db);
    await drainRuntime(db, { now: () => new Date(Date.now() + 2 * 3600_000) });
    const sent = await db.select().from(outbox).where(and(eq(outbox.workspaceId, workspace.id), eq(outbox.journeyId, slug)));
    expect(sent.map((m) => [m.customerId, (m.payload as { body: string }).body]).sort()).toEqual([
      [`a-${tag}`, "first"],
      [`b-${tag}`, "second"],
    ]);
  });
});
