import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { auditLog, channelSettings, eventSources, events } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { loadChannelProvider } from "@/server/channels/channel-settings";
import { sendWith } from "@/server/channels/dispatch-due-messages";
import { handleWebhook } from "@/server/ingest/handle-ingest";
import { signPayload, verifySignature } from "@/server/ingest/verify-signature";
import { startWebhookReceiver, type ReceivedRequest } from "@/server/testing/webhook-receiver";
import { createCaller } from "./root";
import { workspaceCookie } from "./trpc";

/**
 * Settings → Channels and Event sources through tRPC, on Postgres, with a
 * real loopback HTTP server as the webhook receiver: secrets are sealed in the
 * database, never sent back to the browser, kept when the form leaves them
 * blank, and bad input changes nothing.
 */
let db: Db;
let gateway: Awaited<ReturnType<typeof startWebhookReceiver>>;
let hookUrl: string;
let received: ReceivedRequest[];
let answer = 200;

beforeAll(async () => {
  db = await connectTestDb();
  gateway = await startWebhookReceiver(() => answer);
  ({ url: hookUrl, received } = gateway);
});
afterAll(async () => {
  await gateway.close();
  await db.$end();
});

async function adminCaller() {
  const ws = await makeWorkspace(db, ["admin", "marketer"]);
  const headers = new Headers({ cookie: `${workspaceCookie}=${ws.workspace.slug}` });
  const as = (userId: string) => createCaller({ db, session: { user: { id: userId }, expires: new Date(Date.now() + 3600_000).toISOString() }, headers });
  return { ...ws, admin: as(ws.members.admin), marketer: as(ws.members.marketer) };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    if (err instanceof TRPCError) return `${err.code}: ${err.message}`;
    throw err;
  }
}

function signed(body: string, secret: string) {
  return new Request("http://test/api/v1/webhooks/x", {
    method: "POST",
    headers: { "content-type": "application/json", "x-waymark-signature": signPayload(secret, body, Math.floor(Date.now() / 1000)) },
    body,
  });
}

describe("channel settings", () => {
  it("seals the webhook secret, never returns it, keeps it when left blank, and sends a signed test", async () => {
    const { workspace, admin } = await adminCaller();
    expect((await admin.workspace.channels()).map((c) => `${c.channel}:${c.config.provider}`)).toEqual(["email:log", "sms:log", "push:log", "in_app:log", "webhook:log"]);

    await admin.workspace.saveChannel({ channel: "sms", config: { provider: "webhook", url: hookUrl, secret: "whsec_sms-gateway-1", timeoutMs: 2000 } });
    const [row] = await db.select().from(channelSettings).where(and(eq(channelSettings.workspaceId, workspace.id), eq(channelSettings.channel, "sms")));
    expect(JSON.stringify(row!.config)).not.toContain("sms-gateway-1");
    expect(String(row!.config.secret)).toMatch(/^sealed:v1:/);

    const sms = (await admin.workspace.channels()).find((c) => c.channel === "sms")!;
    expect(sms).toMatchObject({ config: { provider: "webhook", url: hookUrl, timeoutMs: 2000 }, secretsSet: ["secret"], error: null });
    expect(JSON.stringify(sms)).not.toMatch(/sms-gateway-1|sealed:v1/);

    // Saved again with the secret left blank (a new timeout): the old secret still signs.
    await admin.workspace.saveChannel({ channel: "sms", config: { provider: "webhook", url: hookUrl, secret: "", timeoutMs: 3000 } });
    received.length = 0;
    answer = 200;
    expect(await admin.workspace.testChannel({ channel: "sms" })).toMatchObject({ ok: true });
    expect(received).toHaveLength(1);
    const body = received[0]!.body;
    expect(JSON.parse(body)).toMatchObject({ channel: "sms", data: { test: true } });
    expect(verifySignature("whsec_sms-gateway-1", body, String(received[0]!.headers["x-waymark-signature"]), Math.floor(Date.now() / 1000)).ok).toBe(true);

    // A receiver that fails: the test says so, with the reason.
    answer = 500;
    const failed = await admin.workspace.testChannel({ channel: "sms" });
    expect(failed.ok).toBe(false);
    expect(failed.ok ? "" : failed.error).toMatch(/500/);
    answer = 200;

    // The sandbox channel "sends" without anything leaving.
    received.length = 0;
    expect(await admin.workspace.testChannel({ channel: "push" })).toMatchObject({ ok: true, detail: expect.stringMatching(/sandbox/) });
    expect(received).toHaveLength(0);

    const audit = await db.select().from(auditLog).where(eq(auditLog.workspaceId, workspace.id));
    expect(audit.map((a) => `${a.action} ${a.target}`)).toContain("channel.save sms");
    expect(audit.map((a) => a.detail).join(" ")).not.toContain("sms-gateway-1");
  });

  it("refuses bad settings with a clear error and changes nothing", async () => {
    const { workspace, admin, marketer } = await adminCaller();
    const before = await db.select().from(channelSettings).where(eq(channelSettings.workspaceId, workspace.id));
    expect(await codeOf(admin.workspace.saveChannel({ channel: "webhook", config: { provider: "webhook", url: hookUrl, secret: "" } }))).toMatch(/BAD_REQUEST: Enter a signing secret/);
    expect(await codeOf(admin.workspace.saveChannel({ channel: "webhook", config: { provider: "webhook", url: "ftp://x", secret: "whsec_12345678" } }))).toMatch(/BAD_REQUEST/);
    expect(await codeOf(admin.workspace.saveChannel({ channel: "sms", config: { provider: "smtp", host: "mail", port: 25, from: "a@b.c", secure: false, requireTls: false } }))).toMatch(/BAD_REQUEST: SMTP can only deliver the email channel/);
    expect(await codeOf(marketer.workspace.saveChannel({ channel: "sms", config: { provider: "log" } }))).toMatch(/^FORBIDDEN/);
    expect(await db.select().from(channelSettings).where(eq(channelSettings.workspaceId, workspace.id))).toEqual(before);
  });

  it("a secret this server's key cannot open makes the channel's messages wait (retryable), not die, and says why", async () => {
    const a = await adminCaller();
    const b = await adminCaller();
    await a.admin.workspace.saveChannel({ channel: "push", config: { provider: "webhook", url: hookUrl, secret: "whsec_push-gateway" } });
    const [row] = await db.select().from(channelSettings).where(and(eq(channelSettings.workspaceId, a.workspace.id), eq(channelSettings.channel, "push")));
    // The sealed value is bound to its workspace and channel: copied elsewhere it does not open (as after a key change).
    await db.insert(channelSettings).values({ workspaceId: b.workspace.id, channel: "push", config: row!.config });
    const provider = await loadChannelProvider(db, b.workspace.id, "push");
    expect(provider).toMatchObject({ provider: "invalid", retryable: true, error: expect.stringMatching(/cannot be decrypted/) });
    const sent = await sendWith(provider, { key: "k", workspaceId: b.workspace.id, customerId: "u", journeyId: "j", nodeId: "n", channel: "push", to: null, subject: null, body: "", data: {} });
    expect(sent).toMatchObject({ ok: false, retryable: true });
    expect((await b.admin.workspace.channels()).find((c) => c.channel === "push")!.error).toMatch(/cannot be decrypted/);
    // Saving with the secret left blank cannot keep what it cannot read: it asks for the secret again and changes nothing.
    expect(await codeOf(b.admin.workspace.saveChannel({ channel: "push", config: { provider: "webhook", url: hookUrl, secret: "" } }))).toMatch(/BAD_REQUEST: The saved secret cannot be read/);
  });
});

describe("event sources", () => {
  it("makes a source whose secret is shown once and sealed at rest; rolling and revoking take effect at once", async () => {
    const { workspace, admin, tag } = await adminCaller();
    const slug = `shop-${tag}`;
    const created = await admin.workspace.createEventSource({ name: "Shop", slug });
    expect(created.secret).toMatch(/^whsec_/);
    const [row] = await db.select().from(eventSources).where(eq(eventSources.slug, slug));
    expect(row!.signingSecret).toMatch(/^sealed:v1:/);
    expect(row!.signingSecret).not.toContain(created.secret);
    expect(JSON.stringify(await admin.workspace.eventSources())).not.toMatch(/whsec_|sealed/);

    const event = (n: number) => JSON.stringify({ type: "track", userId: "u1", event: "order_completed", messageId: `${tag}-${n}` });
    expect((await handleWebhook(db, signed(event(1), created.secret), slug)).status).toBe(200);

    const rolled = await admin.workspace.rollEventSourceSecret({ id: created.id });
    expect(rolled.secret).not.toBe(created.secret);
    expect((await handleWebhook(db, signed(event(2), created.secret), slug)).status).toBe(401);
    expect((await handleWebhook(db, signed(event(3), rolled.secret), slug)).status).toBe(200);

    await admin.workspace.revokeEventSource({ id: created.id });
    expect((await handleWebhook(db, signed(event(4), rolled.secret), slug)).status).toBe(401);
    expect((await db.select().from(events).where(eq(events.workspaceId, workspace.id))).map((e) => e.messageId).sort()).toEqual([`${tag}-1`, `${tag}-3`]);
  });

  it("refuses a taken or malformed slug, and a sealed secret copied to another source does not open", async () => {
    const a = await adminCaller();
    const b = await adminCaller();
    const slug = `taken-${a.tag}`;
    const mine = await a.admin.workspace.createEventSource({ name: "Mine", slug });
    expect(await codeOf(b.admin.workspace.createEventSource({ name: "Theirs", slug }))).toMatch(/CONFLICT: The slug .* is taken/);
    expect(await codeOf(a.admin.workspace.createEventSource({ name: "Bad", slug: "Has Spaces" }))).toMatch(/BAD_REQUEST/);
    expect(await codeOf(b.admin.workspace.revokeEventSource({ id: mine.id }))).toMatch(/^NOT_FOUND/);

    const [row] = await db.select().from(eventSources).where(eq(eventSources.slug, slug));
    const copy = `copy-${b.tag}`;
    await db.insert(eventSources).values({ workspaceId: b.workspace.id, slug: copy, name: "Copied", signingSecret: row!.signingSecret });
    const res = await handleWebhook(db, signed(JSON.stringify({ type: "track", userId: "u", event: "e" }), mine.secret), copy);
    expect(res.status).toBe(500);
    expect(JSON.stringify(await res.json())).toMatch(/cannot be decrypted/);
  });
});
