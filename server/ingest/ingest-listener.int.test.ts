import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { customers, eventSources, events } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { createApiKey } from "@/server/workspaces/api-keys";
import { handleIngest } from "./handle-ingest";
import { createIngestServer, ingestRoute } from "./ingest-listener";
import { signPayload } from "./verify-signature";

/** The ingestion listener (`npm run ingest`) over real HTTP on loopback, against Postgres. */
let db: Db;
let server: Server;
let base: string;
beforeAll(async () => {
  db = await connectTestDb();
  server = createIngestServer(db);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await db.$end();
});

async function setup() {
  const { workspace, members, tag } = await makeWorkspace(db, ["admin"]);
  const { key } = await createApiKey(db, { workspaceId: workspace.id, createdBy: members.admin, name: "t", scopes: ["events:write"] });
  return { workspace, key, tag };
}
const post = (path: string, body: string, headers: Record<string, string>) => fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
const countEvents = async (workspaceId: string) => (await db.select().from(events).where(eq(events.workspaceId, workspaceId))).length;

describe("ingestion listener", () => {
  it("routes only POSTs to the ingestion endpoints", () => {
    expect(ingestRoute("POST", "/api/v1/track")).toEqual({ kind: "ingest", endpoint: "track" });
    expect(ingestRoute("POST", "/api/v1/batch/")).toEqual({ kind: "ingest", endpoint: "batch" });
    expect(ingestRoute("POST", "/api/v1/webhooks/shop%2Dx")).toEqual({ kind: "webhook", source: "shop-x" });
    expect(ingestRoute("GET", "/api/v1/track")).toBeNull();
    expect(ingestRoute("POST", "/api/v1/journeys/x")).toBeNull();
    expect(ingestRoute("POST", "/api/v1/webhooks/%E0%A4%A")).toBeNull();
  });

  it("stores events over HTTP, answers after the commit, and counts replays as duplicates", async () => {
    const { workspace, key } = await setup();
    const auth = { authorization: `Bearer ${key}`, "accept-encoding": "gzip" };
    const res = await post("/api/v1/track", JSON.stringify({ userId: "u1", event: "added_to_cart", messageId: "m1" }), auth);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBeNull();
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(await countEvents(workspace.id)).toBe(1);
    expect(await (await post("/api/v1/identify", JSON.stringify({ userId: "u1", messageId: "m0", traits: { firstName: "Ada" } }), auth)).json()).toEqual({ accepted: 1, duplicates: 0 });
    const [profile] = await db.select().from(customers).where(eq(customers.workspaceId, workspace.id));
    expect(profile?.traits).toMatchObject({ firstName: "Ada" });
    const batch = { batch: [{ type: "track", userId: "u1", event: "added_to_cart", messageId: "m1" }, { type: "identify", userId: "u2", messageId: "m2", traits: { plan: "pro" } }] };
    expect(await (await post("/api/v1/batch", JSON.stringify(batch), auth)).json()).toEqual({ accepted: 2, duplicates: 1 });
    expect(await countEvents(workspace.id)).toBe(3);
  });

  it("refuses bad input with the app's answers and stores nothing", async () => {
    const { workspace, key } = await setup();
    const auth = { authorization: `Bearer ${key}` };
    const invalid = await post("/api/v1/batch", JSON.stringify({ batch: [{ type: "track", userId: "u1", event: "ok", messageId: "a" }, { type: "track", event: "no user" }] }), auth);
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(await invalid.json())).toContain("userId");
    expect((await post("/api/v1/track", JSON.stringify({ userId: "u1", event: "x" }), { authorization: "Bearer wm_" + "a".repeat(40) })).status).toBe(401);
    expect((await post("/api/v1/track", "{not json", auth)).status).toBe(400);
    expect((await post("/api/v1/track", JSON.stringify({ userId: "u1", event: "x" }), { ...auth, "content-type": "text/html" })).status).toBe(415);
    // Larger than the limit: refused without buffering it all (declared and streamed).
    const big = JSON.stringify({ userId: "u1", event: "x", properties: { big: "x".repeat(600 * 1024) } });
    const tooBig = await post("/api/v1/track", big, auth);
    expect(tooBig.status).toBe(413);
    expect(JSON.stringify(await tooBig.json())).toContain("larger than 512 KiB");
    const chunked = await fetch(`${base}/api/v1/track`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 7; i++) c.enqueue(new TextEncoder().encode("x".repeat(100 * 1024)));
          c.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    // Another method: the app's JSON 405 (e2e foundation.spec checks the app's); OPTIONS says what the route takes.
    const get = await fetch(`${base}/api/v1/track`);
    expect([get.status, get.headers.get("allow"), await get.json()]).toEqual([405, "OPTIONS, POST", { errors: [{ index: -1, path: "", message: "Send events with POST" }] }]);
    const options = await fetch(`${base}/api/v1/webhooks/stripe`, { method: "OPTIONS" });
    expect([options.status, options.headers.get("allow"), await options.text()]).toEqual([204, "OPTIONS, POST", ""]);
    expect((await fetch(`${base}/journeys`)).status).toBe(404);
    // A malformed percent-escape is a 400 that says so, as the app answers it (it was a 405 "Send events with POST").
    const escaped = await fetch(`${base}/api/v1/webhooks/%E0%A4%A`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(escaped.status).toBe(400);
    expect(JSON.stringify(await escaped.json())).toContain("malformed percent-escape");
    expect(await countEvents(workspace.id)).toBe(0);
  });

  it("answers exactly as the app's route handlers do (status, headers that matter, body), request by request", async () => {
    const { key, tag } = await setup();
    const auth = { authorization: `Bearer ${key}` };
    const cases: [string, string, Record<string, string>][] = [
      // MID is each way's own messageId: both store the first, both count the second as a duplicate.
      ["/api/v1/track", JSON.stringify({ userId: "u1", event: "x", messageId: "MID" }), auth],
      ["/api/v1/track", JSON.stringify({ userId: "u1", event: "x", messageId: "MID" }), auth],
      ["/api/v1/track", JSON.stringify({ userId: "u1", event: "x" }), { authorization: "Bearer wm_" + "a".repeat(40) }],
      ["/api/v1/track", JSON.stringify({ userId: "u1", event: "x" }), {}],
      ["/api/v1/track", "{not json", auth],
      ["/api/v1/track", "", auth],
      ["/api/v1/track", JSON.stringify({ userId: "u1", event: "x" }), { ...auth, "content-type": "text/html" }],
      ["/api/v1/identify", JSON.stringify({ traits: { a: 1 } }), auth],
      ["/api/v1/batch", JSON.stringify({ batch: [] }), auth],
      ["/api/v1/batch", JSON.stringify({ batch: [{ type: "track", userId: "u1", event: "ok", messageId: `b-${tag}` }, { type: "track", event: "no user" }] }), auth],
    ];
    for (const [path, body, headers] of cases) {
      const endpoint = path.split("/").pop() as "track" | "identify" | "batch";
      const viaListener = await post(path, body.replace("MID", `l-${tag}`), headers);
      const viaApp = await handleIngest(db, new Request(`http://app.test${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: body.replace("MID", `a-${tag}`) }), endpoint);
      const shape = async (r: Response) => ({
        status: r.status,
        type: r.headers.get("content-type"),
        cache: r.headers.get("cache-control"),
        auth: r.headers.get("www-authenticate"),
        body: await r.text(),
      });
      expect(await shape(viaListener), `${path} ${body.slice(0, 40)}`).toEqual(await shape(viaApp));
    }
  });

  it("accepts a signed webhook source and refuses a bad signature", async () => {
    const { workspace, tag } = await setup();
    const slug = `shop-${tag}`;
    await db.insert(eventSources).values({ workspaceId: workspace.id, slug, name: "Shop", signingSecret: "whsec_test" });
    const body = JSON.stringify({ type: "track", userId: "u1", event: "order_completed" });
    const now = Math.floor(Date.now() / 1000);
    expect((await post(`/api/v1/webhooks/${slug}`, body, { "x-waymark-signature": signPayload("whsec_test", body, now) })).status).toBe(200);
    expect((await post(`/api/v1/webhooks/${slug}`, body, { "x-waymark-signature": signPayload("wrong", body, now) })).status).toBe(401);
    expect(await countEvents(workspace.id)).toBe(1);
  });
});
