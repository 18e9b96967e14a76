import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { customers, outbox, stepLog, timers } from "@/db/schema";
import { listJourneys } from "@/server/journeys/list-journeys";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { saveChannelProvider } from "@/server/channels/channel-settings";
import { startApiServer } from "@/server/testing/http-app";
import { queuedEvents } from "@/server/testing/runtime";
import { createApiKey } from "@/server/workspaces/api-keys";
import { processPartitions } from "./process-partitions";
import { RuntimeWorker } from "./worker";

let db: Db;
let api: { url: string; close: () => Promise<void> };
let worker: RuntimeWorker;
let receiver: Server;
let receiverUrl: string;
const received: { at: number; key: string; body: { customerId: string; node: string; journey: string } }[] = [];

beforeAll(async () => {
  db = await connectTestDb();
  api = await startApiServer(db);
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ at: Date.now(), key: String(req.headers["idempotency-key"]), body: JSON.parse(body) });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  await db.execute(sql`delete from runtime_workers`);
  worker = new RuntimeWorker(db, db.$client, { processPartitions, pollMs: 100 });
  await worker.start();
});

afterAll(async () => {
  await worker.stop();
  await api.close();
  await new Promise((r) => receiver.close(r));
  await db.$end();
});

async function setup() {
  const ws = await makeWorkspace(db, ["admin"]);
  const { key } = await createApiKey(db, { workspaceId: ws.workspace.id, createdBy: null, name: "k", scopes: ["events:write", "journeys:write", "analytics:read"] });
  await saveChannelProvider(db, ws.workspace.id, "webhook", { provider: "webhook", url: receiverUrl, secret: "whsec_runtime", timeoutMs: 2000 });
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${api.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const publish = async (doc: Record<string, unknown>) => {
    const put = await call("PUT", `/api/v1/journeys/${doc.id}`, doc);
    expect(put.status, await put.clone().text()).toBe(201);
    expect((await call("POST", `/api/v1/journeys/${doc.id}/publish`)).status).toBe(200);
  };
  return { ...ws, call, publish };
}

const flow = (id: string, nodes: [string, string, Record<string, unknown>][], edges: [string, string, string?][], settings: Record<string, unknown> = {}) => ({
  format: "waymark.journey/v1",
  id,
  name: id,
  settings,
  nodes: nodes.map(([nid, kind, config]) => ({ id: nid, kind, config })),
  edges: edges.map(([from, to, handle]) => ({ from, to, handle: handle ?? "next" })),
});

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the runtime, over HTTP, on Postgres", () => {
  it("sends a message after a short wait, on time, exactly once", async () => {
    const { call, publish, tag } = await setup();
    await publish(flow(`wait-${tag}`, [["t", "trigger", { event: "signup" }], ["w", "wait", { for: "PT2S" }], ["m", "message", { channel: "webhook", template: "hello {{traits.name}}" }]], [["t", "w"], ["w", "m"]]));
    const user = `u-${tag}`;
    const sentAt = Date.now();
    expect((await call("POST", "/api/v1/identify", { userId: user, traits: { name: "Ann" } })).status).toBe(200);
    expect((await call("POST", "/api/v1/track", { userId: user, event: "signup", messageId: `m-${tag}` })).status).toBe(200);
    const hit = await until("the webhook", async () => received.find((r) => r.body.customerId === user));
    expect(hit.at - sentAt).toBeGreaterThanOrEqual(1900);
    expect(hit.at - sentAt).toBeLessThan(6000);
    await new Promise((r) => setTimeout(r, 500));
    expect(received.filter((r) => r.body.customerId === user)).toHaveLength(1);
  });

  it("ends a long wait at once when a negative trigger fires, with the rule recorded", async () => {
    const { workspace, call, publish, tag } = await setup();
    await publish(flow(`neg-${tag}`, [["t", "trigger", { event: "signup" }], ["w", "wait", { for: "P30D" }], ["m", "message", { channel: "webhook", template: "late" }], ["n", "negative_trigger", { event: "complaint" }]], [["t", "w"], ["w", "m"]]));
    const user = `u-${tag}`;
    await call("POST", "/api/v1/track", { userId: user, event: "signup" });
    await until("entry", async () => (await db.select().from(stepLog).where(and(eq(stepLog.workspaceId, workspace.id), eq(stepLog.type, "enter")))).length > 0);
    await call("POST", "/api/v1/track", { userId: user, event: "complaint" });
    const exit = await until("exit", async () => (await db.select().from(stepLog).where(and(eq(stepLog.workspaceId, workspace.id), eq(stepLog.type, "exit"))))[0]);
    expect(exit.detail).toMatchObject({ reason: "negative_trigger", rule: "n" });
    const customer = await (await call("GET", `/api/v1/customers/${user}`)).json();
    expect(customer.journeys).toEqual([expect.objectContaining({ journeyId: `neg-${tag}`, status: "exited", exitReason: "negative_trigger" })]);
    // The journeys it names, by name and id, for people and links.
    expect(customer.journeyNames).toEqual({ [`neg-${tag}`]: { id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: `neg-${tag}` } });
  });

  it("holds a frequency cap shared by two journeys", async () => {
    const { workspace, call, publish, tag } = await setup();
    const mk = (id: string, event: string) =>
      flow(id, [["t", "trigger", { event }], ["m", "message", { channel: "webhook", template: id }], ["g", "guardrail", { frequencyCap: [{ channel: "any", max: 1, per: "P1D" }] }]], [["t", "m"]]);
    await publish(mk(`a-${tag}`, "a"));
    await publish(mk(`b-${tag}`, "b"));
    const user = `u-${tag}`;
    await call("POST", "/api/v1/batch", { batch: [{ type: "track", userId: user, event: "a", timestamp: "2026-01-01T10:00:00Z" }, { type: "track", userId: user, event: "b", timestamp: "2026-01-01T10:05:00Z" }].map((e) => ({ ...e, timestamp: new Date().toISOString() })) });
    const blocked = await until("blocked", async () => (await db.select().from(stepLog).where(and(eq(stepLog.workspaceId, workspace.id), eq(stepLog.type, "blocked"))))[0]);
    expect(blocked.detail).toMatchObject({ reason: "capped" });
    expect(await db.select().from(outbox).where(eq(outbox.workspaceId, workspace.id))).toHaveLength(1);
  });

  it("does not process a replayed batch twice", async () => {
    const { workspace, call, publish, tag } = await setup();
    await publish(flow(`r-${tag}`, [["t", "trigger", { event: "buy" }], ["m", "message", { channel: "webhook", template: "thanks" }]], [["t", "m"]], { reentry: "always" }));
    const batch = { batch: [1, 2, 3].map((i) => ({ type: "track", userId: `u${i}-${tag}`, event: "buy", messageId: `buy-${tag}-${i}` })) };
    expect(await (await call("POST", "/api/v1/batch", batch)).json()).toEqual({ accepted: 3, duplicates: 0 });
    expect(await (await call("POST", "/api/v1/batch", batch)).json()).toEqual({ accepted: 3, duplicates: 3 });
    await until("all processed", async () => (await queuedEvents(db, workspace.id)).length === 0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await db.select().from(outbox).where(eq(outbox.workspaceId, workspace.id))).toHaveLength(3);
  });

  it("writes a batch's traits, entrants and timers: a wait's timer stays put through other events and goes when it fires", async () => {
    const { workspace, call, publish, tag } = await setup();
    const id = `prof-${tag}`;
    await publish(flow(id, [["t", "trigger", { event: "signup" }], ["p", "update_profile", { set: { lifecycle: "onboarding" } }], ["w", "wait", { for: "PT2S" }], ["m", "message", { channel: "webhook", template: "welcome" }]], [["t", "p"], ["p", "w"], ["w", "m"]]));
    const users = [1, 2].map((i) => `u${i}-${tag}`);
    expect((await call("POST", "/api/v1/batch", { batch: users.map((u) => ({ type: "track", userId: u, event: "signup" })) })).status).toBe(200);
    const waitTimers = () => db.select().from(timers).where(and(eq(timers.workspaceId, workspace.id), sql`${timers.payload} ? 'instanceId'`));
    const first = await until("both waiting", async () => {
      const rows = await waitTimers();
      return rows.length === 2 && rows;
    });
    const profiles = await db.select().from(customers).where(eq(customers.workspaceId, workspace.id));
    expect(profiles.map((p) => [p.customerId, p.traits.lifecycle]).sort()).toEqual(users.map((u) => [u, "onboarding"]));
    expect((await listJourneys(db, workspace.id, { includeArchived: false })).find((j) => j.slug === id)?.entrants).toBe(2);

    // Another event of the first customer (no journey takes it): their wait's timer is the same row, not a copy.
    expect((await call("POST", "/api/v1/track", { userId: users[0], event: "browse" })).status).toBe(200);
    await until("browse processed", async () => (await queuedEvents(db, workspace.id)).length === 0);
    expect((await waitTimers()).map((t) => [t.id, t.key, t.dueAt.getTime()]).sort()).toEqual(first.map((t) => [t.id, t.key, t.dueAt.getTime()]).sort());

    // When the waits fire, their timers go and each customer gets the message once.
    await until("both messages", async () => received.filter((r) => r.body.journey === id).length === 2 && true);
    await until("wait timers gone", async () => (await waitTimers()).length === 0);
    expect(received.filter((r) => r.body.journey === id).map((r) => r.body.customerId).sort()).toEqual([...users].sort());
  });

  it("refuses an invalid journey document with its issues and changes nothing", async () => {
    const { call, tag } = await setup();
    const res = await call("PUT", `/api/v1/journeys/bad-${tag}`, flow(`bad-${tag}`, [["w", "wait", {}]], []));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.issues.map((i: { code: string }) => i.code)).toEqual(expect.arrayContaining(["invalid_config", "no_trigger"]));
    expect((await call("GET", `/api/v1/journeys/bad-${tag}`)).status).toBe(404);
  });
});
