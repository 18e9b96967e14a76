import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "@/db/client";
import { saveChannelProvider } from "@/server/channels/channel-settings";
import { verifySignature } from "@/server/ingest/verify-signature";
import { journeyDocumentSchema } from "@/server/journey";
import { createJourneyIfMissing } from "@/server/journeys/upsert-journey-draft";
import { publishJourney } from "@/server/journeys/publish-journey";
import { createApiKey } from "@/server/workspaces/api-keys";
import { ensureWorkspace } from "@/server/workspaces/ensure-workspace";

/** The loopback webhook receiver: logs every delivery's Idempotency-Key, answers 200. */
export async function startReceiver(secret: string): Promise<{ url: string; deliveries: { key: string }[]; badSignatures: number; close: () => Promise<void> }> {
  const state = { deliveries: [] as { key: string }[], badSignatures: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      if (!verifySignature(secret, body, String(req.headers["x-waymark-signature"] ?? ""), Math.floor(Date.now() / 1000)).ok) state.badSignatures++;
      state.deliveries.push({ key: String(req.headers["idempotency-key"]) });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    get deliveries() {
      return state.deliveries;
    },
    get badSignatures() {
      return state.badSignatures;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * A workspace with an events:write key and one published journey: every
 * `ping` sends one webhook message whose text names the event's messageId
 * (`pong <mid>`), so each outbox row can be traced back to its event.
 */
export async function createFaultWorkspace(db: Db, receiverUrl: string, secret: string): Promise<{ workspaceId: string; apiKey: string }> {
  const workspace = await ensureWorkspace(db, "faults", "Fault suite");
  const { key } = await createApiKey(db, { workspaceId: workspace.id, createdBy: null, name: "fault load", scopes: ["events:write"] });
  await saveChannelProvider(db, workspace.id, "webhook", { provider: "webhook", url: receiverUrl, secret, timeoutMs: 5_000 });
  const document = journeyDocumentSchema.parse({
    format: "waymark.journey/v1",
    id: "fault-pong",
    name: "Fault pong",
    settings: { reentry: "always" },
    nodes: [
      { id: "t", kind: "trigger", config: { event: "ping" } },
      { id: "m", kind: "message", config: { channel: "webhook", template: "pong {{event.properties.mid}}" } },
    ],
    edges: [{ from: "t", to: "m" }],
  });
  const { id } = await createJourneyIfMissing(db, { workspaceId: workspace.id, createdBy: null, document });
  const published = await publishJourney(db, { workspaceId: workspace.id, journeyId: id, userId: null });
  if (!published.ok) throw new Error(`could not publish the fault journey: ${published.message}`);
  return { workspaceId: workspace.id, apiKey: key };
}
