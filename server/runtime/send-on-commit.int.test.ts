import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { outbox, timers } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { saveChannelProvider, type ChannelProvider, type UnusableChannel } from "@/server/channels/channel-settings";
import { dispatchDueMessages, sendClaimed } from "@/server/channels/dispatch-due-messages";
import { appendEvents } from "@/server/ingest/append-events";
import { verifySignature } from "@/server/ingest/verify-signature";
import { journey } from "@/server/journey/test-helpers";
import { allPartitions, drainRuntime, nextTimerDue, publishDocument, trackEvent } from "@/server/testing/runtime";
import { startWebhookReceiver } from "@/server/testing/webhook-receiver";
import { processPartitions } from "./process-partitions";
import { RuntimeWorker } from "./worker";
import type { LeasedMessage } from "./write-outcomes";

let db: Db;
let http: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  db = await connectTestDb();
  http = await startWebhookReceiver(() => 200);
});
afterAll(async () => {
  await http.close();
  await db.$end();
});

const ping = (customerId: string, messageId: string) => trackEvent(customerId, messageId, "ping");

describe("a batch's messages sent as it commits (the worker's path)", () => {
  it("writes them claimed for the worker and, once committed, hands them over with their channels' settings; each is sent once", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await drainRuntime(db); // earlier files' leftovers go first: the batch below holds only this test's events
    await saveChannelProvider(db, workspace.id, "webhook", { provider: "webhook", url: http.url, secret: "whsec_12345678", timeoutMs: 2000 });
    await publishDocument(db, workspace.id, journey(`p-${tag}`, [["t", "trigger", { event: "ping" }], ["m", "message", { channel: "webhook", template: "pong" }]], ["t>m"], { reentry: "always" }));
    await appendEvents(db, workspace.id, [ping(`a-${tag}`, `p1-${tag}`), ping(`b-${tag}`, `p2-${tag}`)], "test");

    let handedOver: { messages: LeasedMessage[]; providerFor: (w: string, c: string) => ChannelProvider | UnusableChannel } | null = null;
    await processPartitions(db, allPartitions, {
      batchSize: 100,
      leaseMessagesMs: 60_000,
      onCommitted: (messages, providerFor) => {
        handedOver = { messages, providerFor };
      },
    });
    expect(handedOver).not.toBeNull();
    const { messages, providerFor } = handedOver!;
    expect(messages.map((m) => m.customerId).sort()).toEqual([`a-${tag}`, `b-${tag}`]);
    // Committed (another connection sees the rows), claimed: first attempt, hidden from the outbox claim for the lease.
    const rows = await db.select().from(outbox).where(eq(outbox.workspaceId, workspace.id));
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r).toMatchObject({ status: "pending", attempts: 1 });
      expect(r.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    }
    expect(await dispatchDueMessages(db, { workspaceId: workspace.id })).toEqual({ sent: 0, retrying: 0, dead: 0 });
    expect(providerFor(workspace.id, "webhook")).toMatchObject({ provider: "webhook", url: http.url, secret: "whsec_12345678" });
    expect(providerFor(workspace.id, "sms")).toEqual({ provider: "log" });

    http.received.length = 0;
    expect(await sendClaimed(db, messages, providerFor)).toEqual({ sent: 2, retrying: 0, dead: 0 });
    expect(http.received.map((r) => r.headers["idempotency-key"]).sort()).toEqual(messages.map((m) => m.key).sort());
    for (const r of http.received) expect(verifySignature("whsec_12345678", r.body, String(r.headers["x-waymark-signature"]), Math.floor(Date.now() / 1000))).toEqual({ ok: true });
    const after = await db.select().from(outbox).where(eq(outbox.workspaceId, workspace.id));
    expect(after.map((r) => [r.status, r.attempts])).toEqual([
      ["sent", 1],
      ["sent", 1],
    ]);
    expect(await dispatchDueMessages(db, { workspaceId: workspace.id })).toEqual({ sent: 0, retrying: 0, dead: 0 });
    expect(http.received).toHaveLength(2);
  });

  it("tells when the partitions' next timer is due, the timers it just wrote included, without a statement of its own", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await drainRuntime(db);
    await publishDocument(db, workspace.id, journey(`w-${tag}`, [["t", "trigger", { event: "ping" }], ["w", "wait", { for: "PT1H" }], ["m", "message", { channel: "in_app", template: "later" }]], ["t>w", "w>m"], { reentry: "always" }));
    await appendEvents(db, workspace.id, [ping(`w-${tag}`, `w1-${tag}`)], "test");
    const told: (Date | null)[] = [];
    await processPartitions(db, allPartitions, { batchSize: 100, onNextTimer: (d) => told.push(d) });
    const [wait] = await db.select().from(timers).where(and(eq(timers.workspaceId, workspace.id), eq(timers.customerId, `w-${tag}`)));
    expect(wait!.dueAt.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    expect(told).toHaveLength(1);
    expect(told[0]).toEqual(await nextTimerDue(db, allPartitions)); // what the separate probe finds now
    expect(told[0]!.getTime()).toBeLessThanOrEqual(wait!.dueAt.getTime());
    // A round with nothing to do says it too.
    await processPartitions(db, allPartitions, { batchSize: 100, onNextTimer: (d) => told.push(d) });
    expect(told[1]).toEqual(await nextTimerDue(db, allPartitions));
  });

  it("without the option (tests, drains) writes messages unclaimed, for the outbox claim as before", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await drainRuntime(db);
    await publishDocument(db, workspace.id, journey(`q-${tag}`, [["t", "trigger", { event: "ping" }], ["m", "message", { channel: "in_app", template: "pong" }]], ["t>m"], { reentry: "always" }));
    await appendEvents(db, workspace.id, [ping(`c-${tag}`, `q1-${tag}`)], "test");
    await processPartitions(db, allPartitions, { batchSize: 100, leaseMessagesMs: 60_000 }); // a lease with no one to send: not taken
    const [row] = await db.select().from(outbox).where(eq(outbox.workspaceId, workspace.id));
    expect(row).toMatchObject({ status: "pending", attempts: 0 });
    expect(await dispatchDueMessages(db, { workspaceId: workspace.id })).toMatchObject({ sent: 1 });
    expect((await db.select().from(outbox).where(eq(outbox.workspaceId, workspace.id)))[0]).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("claims the next batch while a batch's messages are still on the wire, and a stop waits for them to be recorded", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await drainRuntime(db);
    let release = () => {};
    const held = new Promise<number>((r) => (release = () => r(200)));
    const slow = await startWebhookReceiver(() => held);
    await saveChannelProvider(db, workspace.id, "webhook", { provider: "webhook", url: slow.url, secret: "whsec_12345678", timeoutMs: 10_000 });
    await publishDocument(db, workspace.id, journey(`s-${tag}`, [["t", "trigger", { event: "ping" }], ["m", "message", { channel: "webhook", template: "pong" }]], ["t>m"], { reentry: "always" }));
    await publishDocument(db, workspace.id, journey(`l-${tag}`, [["t", "trigger", { event: "later" }], ["m", "message", { channel: "in_app", template: "hi" }]], ["t>m"], { reentry: "always" }));
    await db.execute(sql`delete from runtime_workers`);
    const worker = new RuntimeWorker(db, db.$client, { processPartitions, pollMs: 50 });
    await worker.start();
    const messagesOf = async (journeyId: string) => db.select().from(outbox).where(and(eq(outbox.workspaceId, workspace.id), eq(outbox.journeyId, journeyId)));
    const until = async (what: string, ok: () => Promise<boolean>) => {
      for (const end = Date.now() + 10_000; !(await ok()); await new Promise((r) => setTimeout(r, 25))) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    };
    try {
      await appendEvents(db, workspace.id, [ping(`s-${tag}`, `s1-${tag}`)], "test");
      await until("the webhook to be on the wire", async () => slow.received.length === 1);
      // The receiver holds its answer: the next event is processed meanwhile.
      await appendEvents(db, workspace.id, [{ ...ping(`l-${tag}`, `l1-${tag}`), name: "later" }], "test");
      await until("the next event's step", async () => (await messagesOf(`l-${tag}`)).length === 1);
      expect((await messagesOf(`s-${tag}`))[0]).toMatchObject({ status: "pending", attempts: 1 });
      const stopped = worker.stop();
      await new Promise((r) => setTimeout(r, 300));
      release();
      expect(await stopped).toBe(true);
      expect((await messagesOf(`s-${tag}`))[0]).toMatchObject({ status: "sent", attempts: 1 });
      expect(slow.received).toHaveLength(1);
    } finally {
      release();
      await worker.stop();
      await slow.close();
    }
  });
});
