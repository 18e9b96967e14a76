import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { outbox } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { verifySignature } from "@/server/ingest/verify-signature";
import { startWebhookReceiver, type ReceivedRequest } from "@/server/testing/webhook-receiver";
import { saveChannelProvider } from "./channel-settings";
import { dispatchDueMessages, sendClaimed } from "./dispatch-due-messages";

let db: Db;
let http: Awaited<ReturnType<typeof startWebhookReceiver>>;
let httpUrl: string;
let received: ReceivedRequest[];
let statusPlan: number[] = [];

let smtp: SMTPServer;
let smtpPort: number;
const mails: { to: string; raw: string }[] = [];

beforeAll(async () => {
  db = await connectTestDb();
  // A message whose text starts "answer 503 …" gets that status; others follow statusPlan, then 200.
  http = await startWebhookReceiver((body) => Number(/"body":"answer (\d{3})/.exec(body)?.[1] ?? 0) || (statusPlan.shift() ?? 200));
  ({ url: httpUrl, received } = http);

  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, cb) {
      let raw = "";
      stream.on("data", (c) => (raw += c));
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address).join(","), raw });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", r));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await http.close();
  await new Promise((r) => smtp.close(() => r(null)));
  await db.$end();
});

async function enqueue(workspaceId: string, key: string, channel: string, payload: Record<string, unknown>) {
  await db.insert(outbox).values({ workspaceId, key, customerId: "u1", journeyId: "j1", nodeId: "m1", channel, payload });
}
const statusOf = async (key: string) => (await db.select().from(outbox).where(eq(outbox.key, key)))[0]!;

describe("dispatching the outbox through real channels", () => {
  it("POSTs a signed webhook with an idempotency key, once", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await saveChannelProvider(db, workspace.id, "webhook", { provider: "webhook", url: httpUrl, secret: "whsec_12345678", timeoutMs: 2000 });
    const key = `k-${tag}-1`;
    await enqueue(workspace.id, key, "webhook", { body: "Your cart misses you", data: { cartId: "c1" } });
    received.length = 0;
    await dispatchDueMessages(db, { workspaceId: workspace.id });
    await dispatchDueMessages(db, { workspaceId: workspace.id });
    expect(received).toHaveLength(1);
    const [hit] = received;
    expect(hit!.headers["idempotency-key"]).toBe(key);
    expect(verifySignature("whsec_12345678", hit!.body, String(hit!.headers["x-waymark-signature"]), Math.floor(Date.now() / 1000))).toEqual({ ok: true });
    expect(JSON.parse(hit!.body)).toMatchObject({ id: key, body: "Your cart misses you", data: { cartId: "c1" } });
    expect(await statusOf(key)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("retries 5xx with backoff, dead-letters after the last attempt, and never retries a 4xx", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await saveChannelProvider(db, workspace.id, "webhook", { provider: "webhook", url: httpUrl, secret: "whsec_12345678", timeoutMs: 2000 });
    const retried = `k-${tag}-retry`;
    await enqueue(workspace.id, retried, "webhook", { body: "x" });
    statusPlan = [503, 503, 503];
    await dispatchDueMessages(db, { workspaceId: workspace.id, baseDelayMs: 1, maxAttempts: 3 });
    expect(await statusOf(retried)).toMatchObject({ status: "retrying", attempts: 1, lastResult: expect.stringContaining("503") });
    await new Promise((r) => setTimeout(r, 30));
    await dispatchDueMessages(db, { workspaceId: workspace.id, baseDelayMs: 1, maxAttempts: 3 });
    await new Promise((r) => setTimeout(r, 30));
    await dispatchDueMessages(db, { workspaceId: workspace.id, baseDelayMs: 1, maxAttempts: 3 });
    expect(await statusOf(retried)).toMatchObject({ status: "dead", attempts: 3 });

    const refused = `k-${tag}-400`;
    await enqueue(workspace.id, refused, "webhook", { body: "x" });
    statusPlan = [400];
    await dispatchDueMessages(db, { workspaceId: workspace.id, baseDelayMs: 1 });
    expect(await statusOf(refused)).toMatchObject({ status: "dead", attempts: 1, lastResult: expect.stringContaining("400") });
  });

  it("records every outcome of a large claim, however the answers interleave", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await saveChannelProvider(db, workspace.id, "webhook", { provider: "webhook", url: httpUrl, secret: "whsec_12345678", timeoutMs: 2000 });
    const planned = Array.from({ length: 90 }, (_, i) => ({ key: `k-${tag}-many-${i}`, answer: [200, 503, 400][i % 3]! }));
    for (const p of planned) await enqueue(workspace.id, p.key, "webhook", { body: `answer ${p.answer} for ${p.key}` });
    const before = Date.now();
    const counts = await dispatchDueMessages(db, { workspaceId: workspace.id, baseDelayMs: 5_000, maxAttempts: 3, limit: 200 });
    expect(counts).toEqual({ sent: 30, retrying: 30, dead: 30 });
    for (const p of planned) {
      const row = await statusOf(p.key);
      const expected = { 200: "sent", 503: "retrying", 400: "dead" }[p.answer];
      expect({ key: p.key, status: row.status, attempts: row.attempts }).toEqual({ key: p.key, status: expected, attempts: 1 });
      expect(row.lastResult).toContain(String(p.answer));
      expect(row.sentAt !== null).toBe(p.answer === 200);
      // A retry waits its backoff (5 s ± 20 %), not the claim's 60 s lease.
      if (p.answer === 503) expect(row.nextAttemptAt.getTime() - before).toBeGreaterThan(3_900);
      if (p.answer === 503) expect(row.nextAttemptAt.getTime() - before).toBeLessThan(6_100 + (Date.now() - before));
    }
  });

  it("records a send's outcome only while the send is the message's latest claim, or a delivery; sent and dead are final", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const provider = { provider: "webhook" as const, url: httpUrl, secret: "whsec_12345678", timeoutMs: 2000 };
    // A send that outlasted its lease: the message was claimed again (attempt 2) after this send (attempt 1) began.
    const claimedAs = async (key: string, attempts: number, status: string) => {
      await enqueue(workspace.id, key, "webhook", { body: key.endsWith("fails") ? "answer 503" : "hello" });
      await db.execute(sql`update outbox set attempts = ${attempts}, status = ${status} where key = ${key}`);
      const row = await statusOf(key);
      return { ...row, attempts: 1 };
    };
    const cases = [
      // The second claim's send was delivered: the first's late failure must not make it due again (a third send).
      { key: `k-${tag}-late-fails`, now: "sent", attempts: 2, expect: "sent" },
      // The second claim's send failed and waits: the first's late delivery is the truth.
      { key: `k-${tag}-late-sent`, now: "retrying", attempts: 2, expect: "sent" },
      // The second claim's send is still out: the first's late failure is not recorded over it.
      { key: `k-${tag}-out-fails`, now: "pending", attempts: 2, expect: "pending" },
      // Dead is final too.
      { key: `k-${tag}-dead-sent`, now: "dead", attempts: 2, expect: "dead" },
      // The send of the latest claim records as before.
      { key: `k-${tag}-own-fails`, now: "pending", attempts: 1, expect: "retrying" },
    ];
    const rows = await Promise.all(cases.map((c) => claimedAs(c.key, c.attempts, c.now)));
    await sendClaimed(db, rows, () => provider, { maxAttempts: 6, baseDelayMs: 1_000 });
    for (const c of cases) expect([c.key, (await statusOf(c.key)).status]).toEqual([c.key, c.expect]);
  });

  it("sends email over SMTP to the customer's address", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await saveChannelProvider(db, workspace.id, "email", { provider: "smtp", host: "127.0.0.1", port: smtpPort, secure: false, from: "Waymark <hi@shop.test>", requireTls: false });
    const key = `k-${tag}-mail`;
    await enqueue(workspace.id, key, "email", { to: "ann@example.test", subject: "Your cart misses you", body: "Hi Ann" });
    await dispatchDueMessages(db, { workspaceId: workspace.id });
    expect(await statusOf(key)).toMatchObject({ status: "sent" });
    const mail = mails.find((m) => m.raw.includes(key));
    expect(mail?.to).toBe("ann@example.test");
    expect(mail?.raw).toContain("Subject: Your cart misses you");
    expect(mail?.raw).toContain("Hi Ann");
  });

  it("keeps unconfigured channels in the sandbox: sent, nothing leaves", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const key = `k-${tag}-sms`;
    received.length = 0;
    await enqueue(workspace.id, key, "sms", { body: "hello" });
    await dispatchDueMessages(db, { workspaceId: workspace.id });
    expect(await statusOf(key)).toMatchObject({ status: "sent", lastResult: "sandbox (log channel)" });
    expect(received).toHaveLength(0);
  });
});
