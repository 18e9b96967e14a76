import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Db } from "@/db/client";
import { answerIngest, answerWebhook, ingestOptions, onlyPost, refusal, type IngestAnswer, type IngestEndpoint, type IngestRequest } from "./handle-ingest";
import { bodyTooLargeMessage, defaultBodyLimits, jsonBodyFrom } from "./read-json-body";
import { hasMalformedEscape, malformedEscapeMessage } from "@/server/url-escapes";

/**
 * The ingestion endpoints on a plain node:http server (`npm run ingest`), for
 * deployments that route /api/v1/track, /identify, /batch and /webhooks/* to
 * a process of their own, as event collectors are usually run.
 *
 * Decision (DESIGN.md puts ingestion in app/api/v1 route handlers, and they
 * stay: the app answers the same requests with the same code): Next's request
 * pipeline costs about 2 ms of CPU per request before a route runs (a /track
 * refused for its key, no database work, ran at ≈ 470 requests/s on this
 * 2-core machine). The handlers are plain Request → Response functions, so
 * this listener serves them without Next: same validation, authentication,
 * limits, rate limiting, idempotency and answers, byte for byte.
 */
export type IngestRoute = { kind: "ingest"; endpoint: IngestEndpoint } | { kind: "webhook"; source: string };

/** The ingestion route a request is for, or null (anything else is not served here). */
export function ingestRoute(method: string | undefined, path: string): IngestRoute | null {
  if (method !== "POST") return null;
  const m = /^\/api\/v1\/(track|identify|batch)\/?$/.exec(path);
  if (m) return { kind: "ingest", endpoint: m[1] as IngestEndpoint };
  const w = /^\/api\/v1\/webhooks\/([^/]+)\/?$/.exec(path);
  if (!w) return null;
  try {
    return { kind: "webhook", source: decodeURIComponent(w[1]!) };
  } catch {
    return null;
  }
}

/**
 * Answers one request on an ingestion route: the body is read (bounded), handed
 * to the route's handler as it is (no fetch Request or Response is built: that
 * was a third of this process's CPU per single-event request), and its answer
 * written back.
 */
export async function serveIngest(db: Db, route: IngestRoute, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBounded(req, defaultBodyLimits.maxBytes);
  if (body === null) return writeAnswer(res, refusal(413, bodyTooLargeMessage(), { connection: "close" }));
  const header = (name: string) => {
    const v = req.headers[name];
    return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
  };
  const request: IngestRequest = { header, json: async () => jsonBodyFrom(header("content-type"), body) };
  writeAnswer(res, route.kind === "ingest" ? await answerIngest(db, request, route.endpoint) : await answerWebhook(db, request, route.source));
}

/** Writes an ingestion answer (with its length: these answers are small and whole). */
export function writeAnswer(res: ServerResponse, answer: IngestAnswer): void {
  res.writeHead(answer.status, answer.status === 204 ? answer.headers : { "content-length": String(Buffer.byteLength(answer.body)), ...answer.headers });
  res.end(answer.body);
}

/** A node:http request, its body already read, as a fetch Request (what the route handlers take; the API test server's way in). */
export function requestFrom(req: IncomingMessage, body: Buffer | null): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  // The handlers read the path, never the host: a fixed origin keeps a bad Host header from breaking the URL.
  return new Request(`http://127.0.0.1${req.url ?? "/"}`, {
    method: req.method,
    headers,
    body: body === null ? undefined : (body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer),
  });
}

/** Writes a handler's Response to a node:http response (with its length: these answers are small and whole). */
export async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const payload = Buffer.from(await response.arrayBuffer());
  const out: Record<string, string> = { "content-length": String(payload.length) };
  response.headers.forEach((v, k) => (out[k] = v));
  res.writeHead(response.status, out);
  res.end(payload);
}

/** The whole body, or null past `maxBytes` (reading stops there; the rest is not buffered). */
function readBounded(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > maxBytes) {
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        req.removeAllListeners("data");
        req.resume();
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(size > maxBytes ? null : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** A node:http server for the ingestion routes; every other request gets a 404 that says where the app is. */
export function createIngestServer(db: Db, opts: { log?: (line: string) => void } = {}): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const route = ingestRoute(req.method, path);
    if (!route) {
      req.resume();
      // As the app answers it (proxy.ts), not as a method this route does not take.
      if (hasMalformedEscape(path)) return writeAnswer(res, refusal(400, malformedEscapeMessage));
      const known = /^\/api\/v1\/(track|identify|batch|webhooks\/[^/]+)\/?$/.test(path);
      return writeAnswer(
        res,
        known
          ? req.method === "OPTIONS"
            ? ingestOptions()
            : onlyPost()
          : refusal(404, "This is the ingestion listener: it serves POST /api/v1/track, /identify, /batch and /webhooks/{source}; the app serves the rest"),
      );
    }
    serveIngest(db, route, req, res).catch((err: unknown) => {
      opts.log?.(`[ingest] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) writeAnswer(res, refusal(500, "Internal error; retry the request unchanged (same messageIds)"));
      else res.destroy();
    });
  });
}
