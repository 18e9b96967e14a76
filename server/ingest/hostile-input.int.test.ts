import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { createCaller } from "@/server/api/root";
import { workspaceCookie } from "@/server/api/trpc";
import { getCustomerTimelineRoute } from "@/server/customers/customer-api";
import { journeyTemplates } from "@/server/journey";
import { putJourneyRoute } from "@/server/journeys/management-api";
import { createApiKey } from "@/server/workspaces/api-keys";
import { handleIngest } from "./handle-ingest";
import { RateLimiter } from "./rate-limiter";

let db: Db;
let key: string;
let workspaceId: string;
const limiter = new RateLimiter(1e9, 1e9);

beforeAll(async () => {
  db = await connectTestDb();
  const ws = await makeWorkspace(db, ["admin"]);
  workspaceId = ws.workspace.id;
  key = (await createApiKey(db, { workspaceId, createdBy: null, name: "fuzz", scopes: ["events:write", "journeys:write"] })).key;
});
afterAll(async () => {
  await db.$end();
});

const request = (body: string, contentType = "application/json") =>
  new Request("http://test/api/v1/x", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": contentType }, body });

const nasty = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "", "\u0000", "😀", "\u202e", "a".repeat(300)),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, fc.string({ unit: "grapheme", maxLength: 30 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie("value"), { maxLength: 4 }), fc.dictionary(nasty, tie("value"), { maxKeys: 4 })),
})).value;
const eventLike = fc.record(
  { type: fc.oneof(fc.constantFrom("track", "identify", "page", ""), jsonValue), userId: fc.oneof(nasty, jsonValue), event: fc.oneof(nasty, jsonValue), properties: jsonValue, traits: jsonValue, timestamp: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), nasty, jsonValue), messageId: fc.oneof(nasty, jsonValue) },
  { requiredKeys: [] },
);
const bodies = fc.oneof(
  jsonValue.map((v) => JSON.stringify(v)),
  eventLike.map((v) => JSON.stringify(v)),
  fc.array(eventLike, { maxLength: 5 }).map((batch) => JSON.stringify({ batch })),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{"__proto__":{"polluted":1},"userId":"u","event":"e"}', '{"constructor":{"prototype":{"x":1}},"userId":"u","event":"e"}', "[".repeat(5000), '{"batch":' + "[".repeat(100) + "]".repeat(100) + "}"),
);

describe("hostile input", () => {
  it("answers every generated request with 200 or a 4xx with a message, never a 5xx, and never stores part of a request", { timeout: 120_000 }, async () => {
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(bodies, fc.constantFrom("track", "identify", "batch") as fc.Arbitrary<"track" | "identify" | "batch">, async (body, endpoint) => {
        tried++;
        const before = Number(((await db.execute(sql`select count(*) as n from events where workspace_id = ${workspaceId}`)) as unknown as [{ n: string }])[0].n);
        const res = await handleIngest(db, request(body), endpoint, limiter);
        expect(res.status).toBeLessThan(500);
        const answer = (await res.json()) as { accepted?: number; duplicates?: number; errors?: { message: string }[] };
        const after = Number(((await db.execute(sql`select count(*) as n from events where workspace_id = ${workspaceId}`)) as unknown as [{ n: string }])[0].n);
        if (res.status === 200) {
          expect(after - before).toBe(answer.accepted! - answer.duplicates!);
        } else {
          expect(answer.errors?.[0]?.message.length).toBeGreaterThan(0);
          expect(after).toBe(before);
        }
      }),
      { numRuns: 400 },
    );
    // No prototype pollution leaked into plain objects.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    console.log(`hostile input: ${tried} ingestion requests tried, 0 answered 5xx`);
  });

  it("answers text Postgres cannot store (NUL, unpaired surrogates) with a 400 that says where, on every way in", async () => {
    const nul = "\u0000";
    // Events: covered path by path in ingest.int.test.ts; one here for the HTTP answer.
    expect((await handleIngest(db, request(JSON.stringify({ userId: `u${nul}`, event: "e" })), "track", limiter)).status).toBe(400);
    // Journey documents (PUT /api/v1/journeys/{id}): a name and a node's config key.
    const put = (doc: unknown) =>
      putJourneyRoute(db, new Request("http://test", { method: "PUT", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(doc) }), "nul-doc");
    const doc = structuredClone(journeyTemplates[0]!.document) as unknown as { id: string; name: string; nodes: { config: Record<string, unknown> }[] };
    doc.id = "nul-doc";
    const named = await put({ ...doc, name: `Cart${nul}` });
    expect(named.status).toBe(400);
    expect(JSON.stringify(await named.json())).toMatch(/name: contains the NUL character/);
    const keyed = structuredClone(doc);
    keyed.nodes[0]!.config[`x${nul}`] = 1;
    expect((await put(keyed)).status).toBe(400);
    // A customer id in the URL (%00, decoded by Next before the route runs).
    const analytics = (await createApiKey(db, { workspaceId, createdBy: null, name: "read", scopes: ["analytics:read"] })).key;
    const timeline = await getCustomerTimelineRoute(db, new Request("http://test", { headers: { authorization: `Bearer ${analytics}` } }), `u${nul}`);
    expect(timeline.status).toBe(400);
    // tRPC: any procedure's input, e.g. a customer search and a journey draft's name.
    const { workspace, members } = await makeWorkspace(db, ["marketer"]);
    const caller = createCaller({ db, session: { user: { id: members.marketer }, expires: new Date(Date.now() + 3600_000).toISOString() }, headers: new Headers({ cookie: `${workspaceCookie}=${workspace.slug}` }) });
    await expect(caller.customer.search({ query: `ann${nul}` })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/query: contains the NUL character/) });
    await expect(caller.customer.search({ query: "ann\ud83d" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/query: contains an unpaired UTF-16 surrogate/) });
    await expect(caller.customer.search({ query: "ann" })).resolves.toEqual([]);
  });

  it("refuses generated journey imports with clear issues and stores nothing", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(jsonValue, fc.record({ format: fc.constant("waymark.journey/v1"), id: fc.constant("fuzzed"), name: nasty, nodes: jsonValue, edges: jsonValue })), async (doc) => {
        const res = await putJourneyRoute(db, new Request("http://test", { method: "PUT", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(doc) }), "fuzzed");
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
    const stored = await db.execute(sql`select count(*) as n from journeys where workspace_id = ${workspaceId}`);
    expect(Number((stored as unknown as [{ n: string }])[0].n)).toBeLessThanOrEqual(1);
  });

  it("refuses what it would otherwise lose or mix up: a __proto__ key, a number too large, an anon: userId, saying where, storing nothing", async () => {
    const count = async () => Number(((await db.execute(sql`select count(*) as n from events where workspace_id = ${workspaceId}`)) as unknown as [{ n: string }])[0].n);
    const before = await count();
    for (const [body, where, message] of [
      ['{"userId":"u","event":"e","properties":{"__proto__":{"polluted":1},"constructor":1}}', "properties.__proto__", /^is a key that cannot be kept/],
      ['{"userId":"u","event":"e","context":{"traits":{"__proto__":1}}}', "context.traits.__proto__", /^is a key that cannot be kept/],
      ['{"userId":"u","event":"e","properties":{"inf":1e400}}', "properties.inf", /^is a number too large to store/],
      // A userId shaped like an anonymous visitor's profile id would write into that visitor's profile.
      ['{"userId":"anon:visitor9","event":"e"}', "userId", /^must not start with "anon:"/],
    ] as const) {
      const res = await handleIngest(db, request(body), "track", limiter);
      expect(res.status).toBe(400);
      const { errors } = (await res.json()) as { errors: { path: string; message: string }[] };
      expect(errors).toEqual([expect.objectContaining({ path: where, message: expect.stringMatching(message) })]);
    }
    expect(await count()).toBe(before);
    // A plain "constructor" key is kept as sent.
    const ok = await handleIngest(db, request('{"userId":"u","event":"e","messageId":"ctor-1","properties":{"constructor":1}}'), "track", limiter);
    expect(ok.status).toBe(200);
    const [row] = (await db.execute(sql`select properties from events where workspace_id = ${workspaceId} and message_id = 'ctor-1'`)) as unknown as [{ properties: unknown }];
    expect(row.properties).toEqual({ constructor: 1 });
  });

  it("concurrent PUTs of one new journey: one creates it, the others save over it, none fails", async () => {
    const doc = { ...(structuredClone(journeyTemplates[0]!.document) as unknown as Record<string, unknown>), id: "raced" };
    const put = () => putJourneyRoute(db, new Request("http://test", { method: "PUT", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(doc) }), "raced");
    const statuses = (await Promise.all(Array.from({ length: 8 }, put))).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const [{ n }] = (await db.execute(sql`select count(*)::int as n from journeys where workspace_id = ${workspaceId} and slug = 'raced'`)) as unknown as [{ n: number }];
    expect(n).toBe(1);
  });
});
