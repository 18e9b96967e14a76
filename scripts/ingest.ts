import type { AddressInfo } from "node:net";
import { createDb } from "@/db/client";
import { createIngestServer } from "@/server/ingest/ingest-listener";
import { ensureDatabase } from "./db-env";

/**
 * `npm run ingest`: the ingestion endpoints (POST /api/v1/track, /identify,
 * /batch, /webhooks/{source}) on a plain node:http listener, without Next.js:
 * the same handlers as the app's routes, at several times the single-event
 * rate. Run it beside the app (and workers) and route those paths to it.
 * INGEST_PORT (default 3001), HOSTNAME (default 127.0.0.1), DATABASE_URL
 * (default: the embedded development database), DB_POOL_MAX (default 10).
 */
if (!process.env.WAYMARK_SECRETS_KEY && !process.env.AUTH_SECRET) {
  console.error("[secrets] neither WAYMARK_SECRETS_KEY nor AUTH_SECRET is set: using the local development key. Give this process the web server's key, or signed sources cannot be verified.");
}
const { url } = await ensureDatabase("dev");
const db = createDb(url, { max: Number(process.env.DB_POOL_MAX ?? 10), applicationName: "waymark-ingest" });
const server = createIngestServer(db, { log: (line) => console.error(line) });
const port = Number(process.env.INGEST_PORT ?? 3001);
const host = process.env.HOSTNAME ?? "127.0.0.1";
server.on("error", (err) => {
  console.error(`[ingest] cannot listen on ${host}:${port}: ${err.message}`);
  process.exit(1);
});
server.listen(port, host, () => console.error(`[ingest] listening on http://${host}:${(server.address() as AddressInfo).port} (POST /api/v1/track, /identify, /batch, /webhooks/{source})`));
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  // Requests in flight finish (their commits are answered) before the pool closes.
  server.close(() => void db.$end().then(() => process.exit(0)));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
