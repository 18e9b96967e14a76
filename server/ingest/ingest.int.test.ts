import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { customers, eventSources, events, pendingEvents } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { createApiKey } from "@/server/workspaces/api-keys";
import { handleIngest, handleWebhook } from "./handle-ingest";
import { RateLimiter } from "./rate-limiter";
import { signPayload } from "./verify-signature";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

async function setup() {
  const { workspace, members, tag } = await makeWorkspace(db, ["admin"]);
  const { key } = await createApiKey(db, { workspaceId: workspace.id, createdBy: members.admin, name: "t", scopes: ["events:write"] });
  return { workspace, key, tag };
}

function post(key: string | null, body: unknown, headers: Record<string, string> = {}) {
  return new Request("http://test/api/v1/x", {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const countEvents = async (workspaceId: string) => (await db.select().from(events).where(eq(events.workspaceId, workspaceId))).length;

describe("event ingestion on Postgres", () => {
  it("stores a track event and answers accepted only after the commit", async () => {
    const { workspace, key } = await setup();
    const res = await handleIngest(db, post(key, { userId: "u1", event: "cart_abandoned", properties: { total: 80 }, messageId: "m1" }), "track");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    const [row] = await db.select().from(events).where(eq(events.workspaceId, workspace.id));
    expect(row).toMatchObject({ customerId: "u1", name: "cart_abandoned", type: "track", properties: { total: 80 } });
    // Queued for the runtime in the same commit, in its worker partition.
    expect(await db.select().from(pendingEvents).where(eq(pendingEvents.id, row!.id))).toEqual([{ id: row!.id, partition: row!.partition }]);
  });

  it("counts a replayed messageId as a duplicate and stores it once", async () => {
    const { workspace, key } = await setup();
    const batch = { batch: [1, 2, 3].map((i) => ({ type: "track", userId: "u1", event: "viewed", messageId: `b${i}` })) };
    expect(await (await handleIngest(db, post(key, batch), "batch")).json()).toEqual({ accepted: 3, duplicates: 0 });
    expect(await (await handleIngest(db, post(key, batch), "batch")).json()).toEqual({ accepted: 3, duplicates: 3 });
    expect(await countEvents(workspace.id)).toBe(3);
  });

  it("stores nothing of a batch with one invalid event, and says which and why", async () => {
    const { workspace, key } = await setup();
    const batch = { batch: [{ type: "track", userId: "u1", event: "ok" }, { type: "track", userId: "u1" }, { type: "identify", traits: {} }] };
    const res = await handleIngest(db, post(key, batch), "batch");
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { index: number; path: string; message: string }[] };
    expect(body.errors).toContainEqual({ index: 1, path: "event", message: "is required for track" });
    expect(body.errors).toContainEqual({ index: 2, path: "userId", message: "userId or anonymousId is required" });
    expect(await countEvents(workspace.id)).toBe(0);
  });

  it("refuses text Postgres cannot store (NUL, unpaired surrogates) anywhere in an event with a 400 that says where, and stores nothing", async () => {
    const { workspace, key } = await setup();
    const cases: [unknown, string][] = [
      [{ type: "track", userId: "u\u0000", event: "e" }, "userId"],
      [{ type: "track", userId: "u", event: "e", properties: { cart: { items: ["ok", "x\u0000y"] } } }, "properties.cart.items.1"],
      [{ type: "identify", userId: "u", traits: { "bad\u0000key": 1 } }, "traits.bad\\u0000key"],
    ];
    for (const [event, path] of cases) {
      const res = await handleIngest(db, post(key, { batch: [{ type: "track", userId: "fine", event: "ok" }, event] }), "batch");
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: { index: number; path: string; message: string }[] }).errors).toContainEqual({ index: 1, path, message: expect.stringMatching(/NUL character/) });
    }
    // An unpaired surrogate (a broken emoji) is not Unicode: jsonb refuses it, so it is refused here too.
    const broken = await handleIngest(db, post(key, { type: "track", userId: "u", event: "e", properties: { note: "hi \ud83d" } }), "track");
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { errors: { index: number; path: string; message: string }[] }).errors).toContainEqual({ index: 0, path: "properties.note", message: expect.stringMatching(/unpaired UTF-16 surrogate/) });
    expect(await countEvents(workspace.id)).toBe(0);
  });

  it("refuses bad keys, wrong scopes, bad JSON, wrong content type, oversize and old timestamps with 4xx", async () => {
    const { workspace, key } = await setup();
    const analyticsOnly = (await createApiKey(db, { workspaceId: workspace.id, createdBy: null, name: "r", scopes: ["analytics:read"] })).key;
    const ev = { userId: "u1", event: "x" };
    expect((await handleIngest(db, post(null, ev), "track")).status).toBe(401);
    expect((await handleIngest(db, post("wm_" + "a".repeat(40), ev), "track")).status).toBe(401);
    expect((await handleIngest(db, post(analyticsOnly, ev), "track")).status).toBe(401);
    expect((await handleIngest(db, post(key, "{not json"), "track")).status).toBe(400);
    expect((await handleIngest(db, post(key, ev, { "content-type": "application/x-www-form-urlencoded" }), "track")).status).toBe(415);
    expect((await handleIngest(db, post(key, { ...ev, properties: { big: "x".repeat(600 * 1024) } }), "track")).status).toBe(413);
    const deep = JSON.parse(`${"[".repeat(100)}${"]".repeat(100)}`);
    expect((await handleIngest(db, post(key, { ...ev, properties: { deep } }), "track")).status).toBe(400);
    const old = await handleIngest(db, post(key, { ...ev, timestamp: "2000-01-01T00:00:00Z" }), "track");
    expect(old.status).toBe(400);
    expect(JSON.stringify(await old.json())).toContain("1 year");
    const tooMany = { batch: Array.from({ length: 1001 }, (_, i) => ({ type: "track", userId: "u", event: "e", messageId: `x${i}` })) };
    expect((await handleIngest(db, post(key, tooMany), "batch")).status).toBe(413);
    expect(await countEvents(workspace.id)).toBe(0);
  });

  it("builds the same profile from events sent one per request (one statement) as from one batch (the transaction)", async () => {
    const a = await setup();
    const b = await setup();
    const start = Date.now() - 3_600_000;
    const t = (m: number) => new Date(start + m * 60_000).toISOString();
    const sequence = [
      { type: "identify", userId: "p1", messageId: "e1", timestamp: t(1), traits: { plan: "free", timezone: "Europe/Paris" } },
      { type: "track", userId: "p1", event: "visit", messageId: "e2", timestamp: t(2), context: { timezone: "America/New_York" } },
      { type: "identify", userId: "p1", messageId: "e3", timestamp: t(3), traits: { plan: "pro", unsubscribed: true } },
      { type: "track", userId: "p1", event: "visit", messageId: "e4", timestamp: t(0) },
      { type: "identify", userId: "p2", messageId: "e5", timestamp: t(4), traits: { email: "p2@example.com" } },
      { type: "identify", userId: "p1", messageId: "e6", timestamp: t(5), traits: { timezone: "" } },
    ];
    for (const e of sequence) expect((await handleIngest(db, post(a.key, e), e.type as "track" | "identify")).status).toBe(200);
    expect(await (await handleIngest(db, post(b.key, { batch: sequence }), "batch")).json()).toEqual({ accepted: 6, duplicates: 0 });
    const profiles = async (workspaceId: string) =>
      (await db.select().from(customers).where(eq(customers.workspaceId, workspaceId)))
        .map((c) => ({ id: c.customerId, traits: c.traits, timezone: c.timezone, unsubscribed: c.unsubscribed, first: c.firstSeenAt, last: c.lastSeenAt }))
        .sort((x, y) => x.id.localeCompare(y.id));
    const one = await profiles(a.workspace.id);
    expect(one).toEqual(await profiles(b.workspace.id));
    // An empty time zone (e6) keeps the stored one.
    expect(one[0]).toMatchObject({ id: "p1", traits: { plan: "pro", timezone: "", unsubscribed: true }, timezone: "America/New_York", unsubscribed: true, first: new Date(t(0)) });
    // A replayed single event changes nothing.
    expect(await (await handleIngest(db, post(a.key, { ...sequence[2], traits: { plan: "enterprise" } }), "identify")).json()).toEqual({ accepted: 1, duplicates: 1 });
    expect(await profiles(a.workspace.id)).toEqual(one);
  });

  it("accepts Basic auth with the key as user name, as Segment sends it", async () => {
    const { workspace, key } = await setup();
    const basic = `Basic ${Buffer.from(`${key}:`).toString("base64")}`;
    const res = await handleIngest(db, post(null, { userId: "u1", event: "x" }, { authorization: basic }), "track");
    expect(res.status).toBe(200);
    // Also without the colon; but with a password (the key in the password field, or credentials from elsewhere), it
    // says what to send instead of "invalid key", and stores nothing.
    // And with a newline or spaces after it (`echo "$KEY:" | base64` encodes the newline).
    for (const credentials of [key, `${key}:\n`, `${key}: `])
      expect((await handleIngest(db, post(null, { userId: "u1", event: "x" }, { authorization: `Basic ${Buffer.from(credentials).toString("base64")}` }), "track")).status, JSON.stringify(credentials)).toBe(200);
    for (const credentials of [`:${key}`, `${key}:${key}`, "someone:secret"]) {
      const refused = await handleIngest(db, post(null, { userId: "u2", event: "x" }, { authorization: `Basic ${Buffer.from(credentials).toString("base64")}` }), "track");
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ errors: [{ message: expect.stringMatching(/API key as the user name and an empty password/) }] });
    }
    expect(await db.select().from(events).where(and(eq(events.workspaceId, workspace.id), eq(events.userId, "u2")))).toEqual([]);
  });

  it("merges an anonymous profile into the user on identify with both ids", async () => {
    const { workspace, key } = await setup();
    await handleIngest(db, post(key, { anonymousId: "a1", traits: { firstName: "Ann", plan: "free" } }), "identify");
    await handleIngest(db, post(key, { userId: "u9", anonymousId: "a1", traits: { plan: "pro", timezone: "Europe/Paris" } }), "identify");
    await handleIngest(db, post(key, { anonymousId: "a1", event: "page_viewed" }), "track");
    const user = await db.query.customers.findFirst({ where: and(eq(customers.workspaceId, workspace.id), eq(customers.customerId, "u9")) });
    expect(user).toMatchObject({ traits: { firstName: "Ann", plan: "pro", timezone: "Europe/Paris" }, timezone: "Europe/Paris" });
    const later = await db.select().from(events).where(and(eq(events.workspaceId, workspace.id), eq(events.name, "page_viewed")));
    expect(later[0]!.customerId).toBe("u9");
  });

  it("answers 429 with Retry-After over the workspace's rate", async () => {
    const { key } = await setup();
    const limiter = new RateLimiter(1, 2);
    expect((await handleIngest(db, post(key, { userId: "u", event: "a" }), "track", limiter)).status).toBe(200);
    expect((await handleIngest(db, post(key, { userId: "u", event: "b" }), "track", limiter)).status).toBe(200);
    const res = await handleIngest(db, post(key, { userId: "u", event: "c" }), "track", limiter);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("accepts a correctly signed webhook source and refuses a bad signature with 401", async () => {
    const { workspace, tag } = await setup();
    const slug = `shop-${tag}`;
    await db.insert(eventSources).values({ workspaceId: workspace.id, slug, name: "Shop", signingSecret: "whsec_test" });
    const body = JSON.stringify({ type: "track", userId: "u1", event: "order_completed" });
    const now = Math.floor(Date.now() / 1000);
    const good = await handleWebhook(db, post(null, body, { "x-waymark-signature": signPayload("whsec_test", body, now) }), slug);
    expect(good.status).toBe(200);
    const bad = await handleWebhook(db, post(null, body, { "x-waymark-signature": signPayload("wrong", body, now) }), slug);
    expect(bad.status).toBe(401);
    const stale = await handleWebhook(db, post(null, body, { "x-waymark-signature": signPayload("whsec_test", body, now - 600) }), slug);
    expect(stale.status).toBe(401);
    expect((await handleWebhook(db, post(null, body, {}), "no-such-source")).status).toBe(401);
    expect(await countEvents(workspace.id)).toBe(1);
    // One identify on its own, as the API's /identify takes it (it was refused: "must be track on this endpoint").
    const identify = JSON.stringify({ type: "identify", userId: "u1", traits: { plan: "pro" } });
    const identified = await handleWebhook(db, post(null, identify, { "x-waymark-signature": signPayload("whsec_test", identify, now) }), slug);
    expect(identified.status).toBe(200);
    const [row] = (await db.execute(sql`select type, traits from events where workspace_id = ${workspace.id} and type = 'identify'`)) as unknown as [{ type: string; traits: unknown }];
    expect(row).toEqual({ type: "identify", traits: { plan: "pro" } });
    const page = JSON.stringify({ type: "page", userId: "u1" });
    expect((await handleWebhook(db, post(null, page, { "x-waymark-signature": signPayload("whsec_test", page, now) }), slug)).status).toBe(400);
  });
});
