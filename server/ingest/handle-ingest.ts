import { randomUUID } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { eventSources } from "@/db/schema";
import { SecretUnreadableError } from "@/server/secrets";
import { appendEvents } from "./append-events";
import { isDatabaseUnavailable } from "./database-unavailable";
import { authenticateRequest } from "./authenticate-request";
import { normalizeEvent, singleEventType, type EventError, type NormalizedEvent } from "./event-schema";
import { signingSecretOf, sourceSlugPattern } from "./event-sources";
import { RateLimiter } from "./rate-limiter";
import { readJsonBody, type BodyResult } from "./read-json-body";
import { verifySignature } from "./verify-signature";

export type IngestEndpoint = "track" | "identify" | "batch";
export const maxBatchEvents = 1000;

const ratePerSecond = Number(process.env.INGEST_RATE_PER_SECOND ?? 50_000);
export const defaultRateLimiter = new RateLimiter(ratePerSecond, ratePerSecond * 2);

/**
 * An ingestion request as the handlers read it: its headers (by lower-case
 * name) and its body as JSON within limits (readJsonBody's checks and
 * answers), read only when the handler asks. From a fetch Request (the app's
 * route handlers) or straight from node:http (the ingestion listener, which
 * so skips building a fetch Request and Response per request).
 */
export type IngestRequest = { header(name: string): string | null; json(): Promise<BodyResult> };
/** An ingestion answer: a status, headers and a few bytes of JSON. */
export type IngestAnswer = { status: number; headers: Record<string, string>; body: string };

export const fromFetchRequest = (req: Request): IngestRequest => ({ header: (name) => req.headers.get(name), json: () => readJsonBody(req) });
export const toResponse = (a: IngestAnswer): Response => new Response(a.status === 204 ? null : a.body, { status: a.status, headers: a.headers });

/**
 * Ingestion answers are a few bytes of JSON: `no-transform` keeps the web
 * server from gzipping them (Next's compression skips such responses), which
 * cost about 8 % of the web server's CPU per /track request in a profile.
 */
const json = (status: number, body: unknown, headers: Record<string, string> = {}): IngestAnswer => ({
  status,
  headers: { "content-type": "application/json", "cache-control": "no-store, no-transform", ...headers },
  body: JSON.stringify(body),
});

/** A refused request's answer, as every ingestion refusal is shaped: `{"errors": [{index: -1, path: "", message}]}`. */
export const refusal = (status: number, message: string, headers: Record<string, string> = {}) => json(status, { errors: [{ index: -1, path: "", message }] }, headers);
/** The methods an ingestion route takes (Allow). */
const ingestMethods = "OPTIONS, POST";
/**
 * Any other method on an ingestion route: a JSON 405 with Allow, from the app's routes (which export it for GET, PUT,
 * PATCH and DELETE: Next's own answer is an empty 405) and the listener alike.
 */
export const onlyPost = () => refusal(405, "Send events with POST", { allow: ingestMethods });
/** OPTIONS on an ingestion route: what it takes (Next's automatic answer would list every method a route file exports). */
export const ingestOptions = (): IngestAnswer => ({ status: 204, headers: { allow: ingestMethods, "cache-control": "no-store" }, body: "" });

/** Turns a parsed body into normalized events, or the list of what is wrong (index, path, message). */
export function eventsFromBody(
  body: unknown,
  endpoint: IngestEndpoint,
  now: Date,
): { ok: true; events: NormalizedEvent[] } | { ok: false; status: 400 | 413; errors: EventError[] } {
  let items: unknown[];
  if (endpoint === "batch") {
    const batch = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as { batch?: unknown }).batch : undefined;
    if (!Array.isArray(batch)) return { ok: false, status: 400, errors: [{ index: -1, path: "batch", message: 'must be an array: {"batch": [ … ]}' }] };
    if (batch.length === 0) return { ok: false, status: 400, errors: [{ index: -1, path: "batch", message: "is empty" }] };
    if (batch.length > maxBatchEvents) return { ok: false, status: 413, errors: [{ index: -1, path: "batch", message: `has ${batch.length} events; at most ${maxBatchEvents} per request` }] };
    items = batch;
  } else {
    items = [body];
  }
  const defaultType = endpoint === "batch" ? null : endpoint;
  const errors: EventError[] = [];
  const out: NormalizedEvent[] = [];
  items.forEach((raw, index) => {
    const r = normalizeEvent(raw, index, { defaultType, now, fallbackMessageId: randomUUID });
    if (r.ok) out.push(r.event);
    else errors.push(...r.errors);
  });
  return errors.length > 0 ? { ok: false, status: 400, errors: errors.slice(0, 100) } : { ok: true, events: out };
}

async function store(db: Db, workspaceId: string, body: unknown, endpoint: IngestEndpoint, source: string, limiter: RateLimiter) {
  const parsed = eventsFromBody(body, endpoint, new Date());
  if (!parsed.ok) return json(parsed.status, { errors: parsed.errors });
  const allowed = limiter.take(workspaceId, parsed.events.length);
  if (!allowed.ok) {
    return refusal(429, "Rate limit exceeded for this workspace; retry later", { "retry-after": String(allowed.retryAfterSeconds) });
  }
  const res = await appendEvents(db, workspaceId, parsed.events, source);
  return json(200, res);
}

export { isDatabaseUnavailable };

/**
 * While the database is unreachable, ingestion answers 503 with Retry-After
 * (not a bare 500), so senders back off and retry. The outcome of a request cut
 * mid-commit is unknown, so the answer says to retry with the same messageIds:
 * anything already stored is then acknowledged as a duplicate, never doubled.
 */
async function unlessDatabaseDown(run: () => Promise<IngestAnswer>): Promise<IngestAnswer> {
  try {
    return await run();
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
    return refusal(503, "The event store is unavailable right now. Retry this request unchanged (same messageIds) after Retry-After: events already stored are acknowledged as duplicates, never stored twice.", { "retry-after": "1" });
  }
}

/** POST /api/v1/track | identify | batch with a workspace API key (events:write). */
export async function handleIngest(db: Db, req: Request, endpoint: IngestEndpoint, limiter = defaultRateLimiter): Promise<Response> {
  return toResponse(await answerIngest(db, fromFetchRequest(req), endpoint, limiter));
}

/** handleIngest's answer to a request however it came. */
export function answerIngest(db: Db, req: IngestRequest, endpoint: IngestEndpoint, limiter = defaultRateLimiter): Promise<IngestAnswer> {
  return unlessDatabaseDown(() => ingest(db, req, endpoint, limiter));
}

async function ingest(db: Db, req: IngestRequest, endpoint: IngestEndpoint, limiter: typeof defaultRateLimiter): Promise<IngestAnswer> {
  const authed = await authenticateRequest(db, req.header("authorization"), "events:write");
  if (!authed.ok) return refusal(401, authed.message, { "www-authenticate": 'Bearer realm="waymark"' });
  const body = await req.json();
  if (!body.ok) return refusal(body.status, body.message);
  return store(db, authed.workspaceId, body.value, endpoint, "api", limiter);
}

/**
 * POST /api/v1/webhooks/{source}: a signed source. The body is one event or
 * `{"batch": [...]}`; the signature covers the raw body and a timestamp.
 */
export async function handleWebhook(db: Db, req: Request, sourceSlug: string, limiter = defaultRateLimiter): Promise<Response> {
  return toResponse(await answerWebhook(db, fromFetchRequest(req), sourceSlug, limiter));
}

/** handleWebhook's answer to a request however it came. */
export function answerWebhook(db: Db, req: IngestRequest, sourceSlug: string, limiter = defaultRateLimiter): Promise<IngestAnswer> {
  return unlessDatabaseDown(() => webhook(db, req, sourceSlug, limiter));
}

async function webhook(db: Db, req: IngestRequest, sourceSlug: string, limiter: typeof defaultRateLimiter): Promise<IngestAnswer> {
  const source = sourceSlugPattern.test(sourceSlug)
    ? await db.query.eventSources.findFirst({ where: and(eq(eventSources.slug, sourceSlug), isNull(eventSources.revokedAt)) })
    : undefined;
  const body = await req.json();
  if (!source) return refusal(401, "Unknown or revoked source");
  if (!body.ok) return refusal(body.status, body.message);
  let secret: string;
  try {
    secret = signingSecretOf(source);
  } catch (e) {
    // The server's key changed since the secret was saved: a set-up fault on our side, not the sender's (5xx: senders retry).
    if (e instanceof SecretUnreadableError) return refusal(500, e.message);
    throw e;
  }
  const verified = verifySignature(secret, body.raw, req.header("x-waymark-signature"), Math.floor(Date.now() / 1000));
  if (!verified.ok) return refusal(401, verified.message);
  const isBatch = typeof body.value === "object" && body.value !== null && "batch" in body.value;
  // A source sends both kinds, as the API's endpoints take them.
  return store(db, source.workspaceId, body.value, isBatch ? "batch" : singleEventType(body.value), `webhook:${source.slug}`, limiter);
}
