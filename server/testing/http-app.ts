import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "@/db/client";
import { getCustomerTimelineRoute } from "@/server/customers/customer-api";
import { handleIngest, handleWebhook } from "@/server/ingest/handle-ingest";
import { requestFrom, writeResponse } from "@/server/ingest/ingest-listener";
import { getJourneyRoute, journeyActionRoute, putJourneyRoute } from "@/server/journeys/management-api";

/**
 * The public HTTP API (/api/v1/*) served by the same handler functions the
 * Next.js route files call, on a real loopback socket, for integration tests
 * that must go over HTTP without building the whole app.
 */
export async function startApiServer(db: Db): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const request = requestFrom(req, req.method === "GET" || req.method === "HEAD" ? null : Buffer.concat(chunks));
      await writeResponse(res, await route(db, request, new URL(request.url).pathname));
    } catch (err) {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(err));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function route(db: Db, req: Request, path: string): Promise<Response> {
  let m: RegExpMatchArray | null;
  if (req.method === "POST" && (m = path.match(/^\/api\/v1\/(track|identify|batch)$/))) return handleIngest(db, req, m[1] as "track" | "identify" | "batch");
  if (req.method === "POST" && (m = path.match(/^\/api\/v1\/webhooks\/([^/]+)$/))) return handleWebhook(db, req, decodeURIComponent(m[1]!));
  if ((m = path.match(/^\/api\/v1\/journeys\/([^/]+)$/))) {
    if (req.method === "PUT") return putJourneyRoute(db, req, decodeURIComponent(m[1]!));
    if (req.method === "GET") return getJourneyRoute(db, req, decodeURIComponent(m[1]!));
  }
  if (req.method === "POST" && (m = path.match(/^\/api\/v1\/journeys\/([^/]+)\/(publish|pause)$/))) return journeyActionRoute(db, req, decodeURIComponent(m[1]!), m[2] as "publish" | "pause");
  if (req.method === "GET" && (m = path.match(/^\/api\/v1\/customers\/([^/]+)$/))) return getCustomerTimelineRoute(db, req, decodeURIComponent(m[1]!));
  return Response.json({ error: "Not found" }, { status: 404 });
}
