import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { apiKeyScopes, eventSources, type ApiKeyScope } from "@/db/schema";
import { connectTestDb } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { signPayload } from "@/server/ingest/verify-signature";
import { journeyDocumentSchema } from "@/server/journey";
import { createJourneyIfMissing } from "@/server/journeys/upsert-journey-draft";
import { publishJourney } from "@/server/journeys/publish-journey";
import { createApiKey, revokeApiKey } from "@/server/workspaces/api-keys";
import { ensureWorkspace } from "@/server/workspaces/ensure-workspace";

/**
 * The authorization matrix of the HTTP routes (app/api/**): every exported
 * method of every route file has a row, found from the filesystem, so a new
 * route or method without a decided access rule fails the first test (as
 * authorization-matrix.int.test.ts does for tRPC procedures). Each row is
 * called through the route module's own export, with a Request, as:
 * - scoped: a key of this workspace with exactly the scope the route needs;
 * - lackingScope: a key of this workspace with every other scope;
 * - otherWorkspace: a key of another workspace with every scope (it may act on
 *   its own workspace, never see or touch this one's journey or customer);
 * - revoked: a revoked key that had the scope;
 * - none: no credentials.
 * After every call but the scoped one, this workspace's data must be unchanged
 * and the answer must not carry its secrets.
 */
type Credential = "none" | "revoked" | "lackingScope" | "otherWorkspace" | "scoped";
type SourceCredential = "none" | "apiKeyOnly" | "revokedSource" | "otherWorkspaceSecret" | "signed";

type Fixture = {
  tag: string;
  workspaceId: string;
  journey: string;
  customer: string;
  keys: Record<Credential, string | null>;
  sources: { slug: string; secret: string; revokedSlug: string; otherSecret: string };
};
type Params = Record<string, string>;
type Handler = (req: Request, ctx: { params: Promise<Params> }) => Promise<Response>;
type Call = { path: string; params?: Params; body?: unknown };

type Row =
  | { auth: "api-key"; scope: ApiKeyScope; call: (f: Fixture) => Call; expect: Record<Credential, number> }
  | { auth: "signed-source"; call: (f: Fixture) => Call; expect: Record<SourceCredential, number> }
  | { auth: "excluded"; reason: string };

const event = (f: Fixture, extra: Record<string, unknown> = {}) => ({ userId: `matrix-visitor`, event: "matrix_ping", messageId: `m-${randomUUID()}`, ...extra, properties: { tag: f.tag } });
// Another workspace's key acts on ITS workspace: ingestion stores there (200), a PUT creates its own journey of that slug (201).
const ingest = { none: 401, revoked: 401, lackingScope: 401, otherWorkspace: 200, scoped: 200 };
const readOrActOnJourney = { none: 401, revoked: 401, lackingScope: 401, otherWorkspace: 404, scoped: 200 };

const matrix: Record<string, Row> = {
  "POST /api/v1/track": { auth: "api-key", scope: "events:write", expect: ingest, call: (f) => ({ path: "/api/v1/track", body: event(f) }) },
  "POST /api/v1/identify": {
    auth: "api-key",
    scope: "events:write",
    expect: ingest,
    call: (f) => ({ path: "/api/v1/identify", body: { userId: "matrix-visitor", traits: { plan: "pro" }, messageId: `m-${randomUUID()}`, context: { tag: f.tag } } }),
  },
  "POST /api/v1/batch": { auth: "api-key", scope: "events:write", expect: ingest, call: (f) => ({ path: "/api/v1/batch", body: { batch: [{ type: "track", ...event(f) }] } }) },
  "POST /api/v1/webhooks/[source]": {
    auth: "signed-source",
    expect: { none: 401, apiKeyOnly: 401, revokedSource: 401, otherWorkspaceSecret: 401, signed: 200 },
    call: (f) => ({ path: `/api/v1/webhooks/${f.sources.slug}`, params: { source: f.sources.slug }, body: event(f) }),
  },
  "GET /api/v1/journeys/[id]": { auth: "api-key", scope: "journeys:write", expect: readOrActOnJourney, call: (f) => ({ path: `/api/v1/journeys/${f.journey}`, params: { id: f.journey } }) },
  "PUT /api/v1/journeys/[id]": {
    auth: "api-key",
    scope: "journeys:write",
    expect: { ...readOrActOnJourney, otherWorkspace: 201 },
    call: (f) => ({ path: `/api/v1/journeys/${f.journey}`, params: { id: f.journey }, body: journeyDocument(f.journey, "Matrix replacement") }),
  },
  "POST /api/v1/journeys/[id]/publish": { auth: "api-key", scope: "journeys:write", expect: readOrActOnJourney, call: (f) => ({ path: `/api/v1/journeys/${f.journey}/publish`, params: { id: f.journey } }) },
  "POST /api/v1/journeys/[id]/pause": { auth: "api-key", scope: "journeys:write", expect: readOrActOnJourney, call: (f) => ({ path: `/api/v1/journeys/${f.journey}/pause`, params: { id: f.journey } }) },
  "GET /api/v1/customers/[userId]": {
    auth: "api-key",
    scope: "analytics:read",
    expect: readOrActOnJourney,
    call: (f) => ({ path: `/api/v1/customers/${f.customer}`, params: { userId: f.customer } }),
  },
  ...Object.fromEntries(
    ["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => [`${m} /api/v1/[...rest]`, { auth: "excluded", reason: "the JSON 404 of a path no route serves: it reads and changes nothing, the same answer for anyone (e2e foundation.spec)" } satisfies Row]),
  ),
  ...Object.fromEntries(
    ["track", "identify", "batch", "webhooks/[source]"].flatMap((route) =>
      ["GET", "PUT", "PATCH", "DELETE", "OPTIONS"].map((m) => [`${m} /api/v1/${route}`, { auth: "excluded", reason: "the JSON 405 of a method other than POST, or OPTIONS's Allow: it reads and changes nothing, the same answer for anyone (e2e foundation.spec)" } satisfies Row]),
    ),
  ),
  "GET /api/auth/[...nextauth]": { auth: "excluded", reason: "Auth.js session endpoints (sign-in page, CSRF, session): no API key; sessions are covered by the tRPC matrix and e2e sign-in" },
  "POST /api/auth/[...nextauth]": { auth: "excluded", reason: "Auth.js credentials sign-in and sign-out: no API key; covered by e2e sign-in" },
  "GET /api/trpc/[trpc]": { auth: "excluded", reason: "tRPC: every procedure has a row in server/api/authorization-matrix.int.test.ts" },
  "POST /api/trpc/[trpc]": { auth: "excluded", reason: "tRPC: every procedure has a row in server/api/authorization-matrix.int.test.ts" },
};

const apiDir = path.resolve(__dirname, "../../app/api");
const httpMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function routeFiles(dir = apiDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? routeFiles(path.join(dir, e.name)) : /^route\.(ts|tsx|js|mjs)$/.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

const modules = new Map<string, Record<string, unknown>>();
async function routes(): Promise<Map<string, Handler>> {
  const out = new Map<string, Handler>();
  for (const file of routeFiles()) {
    const mod = modules.get(file) ?? ((await import(file)) as Record<string, unknown>);
    modules.set(file, mod);
    const route = `/api/${path.relative(apiDir, path.dirname(file)).split(path.sep).join("/")}`;
    for (const method of httpMethods) if (typeof mod[method] === "function") out.set(`${method} ${route}`, mod[method] as Handler);
  }
  return out;
}

function journeyDocument(id: string, name: string) {
  return journeyDocumentSchema.parse({
    format: "waymark.journey/v1",
    id,
    name,
    nodes: [
      { id: "t", kind: "trigger", config: { event: "matrix_ping" } },
      { id: "m", kind: "message", config: { channel: "email", subject: "Hi", template: "Hello" } },
    ],
    edges: [{ from: "t", to: "m" }],
  });
}

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
  // The route modules share the app's own handle (getDb()).
  await (globalThis as { waymarkDb?: Db }).waymarkDb?.$end();
});

/** This workspace (a journey, a customer, a signed source) and another one, with a key of each kind. */
async function fixture(scope: ApiKeyScope | null): Promise<Fixture> {
  const tag = randomUUID().slice(0, 8);
  const ws = await ensureWorkspace(db, `http-${tag}`);
  const other = await ensureWorkspace(db, `http-other-${tag}`);
  const journey = "matrix-journey";
  const { id } = await createJourneyIfMissing(db, { workspaceId: ws.id, createdBy: null, document: journeyDocument(journey, `Matrix secret journey ${tag}`) });
  expect((await publishJourney(db, { workspaceId: ws.id, journeyId: id, userId: null })).ok).toBe(true);
  const customer = "matrix-customer";
  await appendEvents(
    db,
    ws.id,
    [{ type: "identify", userId: customer, anonymousId: null, customerId: customer, name: "identify", properties: {}, traits: { secret: `secret-${tag}` }, context: {}, timestamp: new Date(), messageId: `seed-${tag}` }],
    "test",
  );
  const key = async (workspaceId: string, scopes: ApiKeyScope[]) => (await createApiKey(db, { workspaceId, createdBy: null, name: "matrix", scopes })).key;
  const needed = scope ?? "events:write";
  const revoked = await createApiKey(db, { workspaceId: ws.id, createdBy: null, name: "revoked", scopes: [needed] });
  expect((await revokeApiKey(db, ws.id, revoked.id)).ok).toBe(true);
  const sources = { slug: `src-${tag}`, secret: `whsec_${tag}_own`, revokedSlug: `src-revoked-${tag}`, otherSecret: `whsec_${tag}_other` };
  await db.insert(eventSources).values([
    { workspaceId: ws.id, slug: sources.slug, name: "Shop", signingSecret: sources.secret },
    { workspaceId: ws.id, slug: sources.revokedSlug, name: "Old shop", signingSecret: sources.secret, revokedAt: new Date() },
    { workspaceId: other.id, slug: `src-other-${tag}`, name: "Theirs", signingSecret: sources.otherSecret },
  ]);
  return {
    tag,
    workspaceId: ws.id,
    journey,
    customer,
    sources,
    keys: {
      none: null,
      revoked: revoked.key,
      lackingScope: await key(ws.id, apiKeyScopes.filter((s) => s !== needed)),
      otherWorkspace: await key(other.id, [...apiKeyScopes]),
      scoped: await key(ws.id, [needed]),
    },
  };
}

/** Everything a route could change in a workspace. */
async function snapshot(workspaceId: string): Promise<unknown> {
  const [row] = (await db.execute(sql`select
    (select count(*)::int from events where workspace_id = ${workspaceId}) as events,
    (select count(*)::int from customers where workspace_id = ${workspaceId}) as customers,
    (select json_agg(json_build_object('slug', slug, 'name', name, 'status', status, 'revision', draft_revision, 'live', live_version, 'draft', draft) order by slug)
       from journeys where workspace_id = ${workspaceId}) as journeys,
    (select count(*)::int from journey_versions where workspace_id = ${workspaceId}) as versions,
    (select count(*)::int from audit_log where workspace_id = ${workspaceId}) as audit`)) as unknown as [unknown];
  return row;
}

async function send(handler: Handler, method: string, call: Call, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const body = call.body === undefined ? undefined : JSON.stringify(call.body);
  const req = new Request(`http://127.0.0.1${call.path}`, { method, headers: { ...(body ? { "content-type": "application/json" } : {}), ...headers }, body });
  const res = await handler(req, { params: Promise.resolve(call.params ?? {}) });
  return { status: res.status, text: await res.text() };
}

describe("HTTP routes authorization matrix", () => {
  it("has exactly one row per exported method of every route file under app/api", async () => {
    expect([...(await routes()).keys()].sort()).toEqual(Object.keys(matrix).sort());
  });

  for (const [route, row] of Object.entries(matrix)) {
    if (row.auth === "excluded") continue;
    const [method] = route.split(" ") as [string];
    it(`${route}: denied without the right credential of this workspace, allowed with it`, async () => {
      const handler = (await routes()).get(route);
      expect(handler, `${route} is exported`).toBeDefined();
      const f = await fixture(row.auth === "api-key" ? row.scope : null);
      const call = row.call(f);
      const attempts: [string, number, Record<string, string>][] =
        row.auth === "api-key"
          ? (Object.keys(row.expect) as Credential[]).map((c): [string, number, Record<string, string>] => [c, row.expect[c], f.keys[c] ? { authorization: `Bearer ${f.keys[c]}` } : {}])
          : (Object.keys(row.expect) as SourceCredential[]).map((c) => {
              const body = JSON.stringify(call.body);
              const now = Math.floor(Date.now() / 1000);
              const headers: Record<SourceCredential, Record<string, string>> = {
                none: {},
                apiKeyOnly: { authorization: `Bearer ${f.keys.scoped}` },
                revokedSource: { "x-waymark-signature": signPayload(f.sources.secret, body, now) },
                otherWorkspaceSecret: { "x-waymark-signature": signPayload(f.sources.otherSecret, body, now) },
                signed: { "x-waymark-signature": signPayload(f.sources.secret, body, now) },
              };
              return [c, row.expect[c], headers[c]];
            });
      for (const [credential, expected, headers] of attempts) {
        const target = credential === "revokedSource" ? { ...call, path: call.path.replace(f.sources.slug, f.sources.revokedSlug), params: { source: f.sources.revokedSlug } } : call;
        const before = await snapshot(f.workspaceId);
        const res = await send(handler!, method, target, headers);
        expect(res.status, `${route} as ${credential}: ${res.text.slice(0, 200)}`).toBe(expected);
        if (credential === "scoped" || credential === "signed") continue;
        expect(await snapshot(f.workspaceId), `${route} as ${credential} changed this workspace`).toEqual(before);
        expect(res.text, `${route} as ${credential} leaked this workspace's data`).not.toContain(f.tag);
      }
      if (row.auth === "api-key" && method === "GET") {
        // The scoped answer does carry this workspace's data: the leak check above can fail.
        const res = await send(handler!, method, call, { authorization: `Bearer ${f.keys.scoped}` });
        expect(res.text).toContain(f.tag);
      }
    });
  }

  it("GET /api/v1/customers/[userId] takes the id as Next.js passes it, already decoded", async () => {
    const handler = (await routes()).get("GET /api/v1/customers/[userId]")!;
    const f = await fixture("analytics:read");
    const ids = ["100%", "x%2Fy", "a b/é"];
    await appendEvents(
      db,
      f.workspaceId,
      ids.map((c, i) => ({ type: "identify" as const, userId: c, anonymousId: null, customerId: c, name: "identify", properties: {}, traits: {}, context: {}, timestamp: new Date(), messageId: `odd-${i}` })),
      "test",
    );
    for (const id of ids) {
      const res = await send(handler, "GET", { path: `/api/v1/customers/${encodeURIComponent(id)}`, params: { userId: id } }, { authorization: `Bearer ${f.keys.scoped}` });
      expect(res.status, `${id}: ${res.text.slice(0, 100)}`).toBe(200);
      expect((JSON.parse(res.text) as { customerId: string }).customerId).toBe(id);
    }
  });
});
