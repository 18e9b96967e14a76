import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { outbox } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { saveChannelProvider } from "@/server/channels/channel-settings";
import { appendEvents } from "@/server/ingest/append-events";
import { journeyDocumentSchema } from "@/server/journey";
import { publishDocument, queuedEvents } from "@/server/testing/runtime";

const root = path.resolve(__dirname, "../..");
let db: Db;
let receiver: Server;
let receiverUrl: string;
const deliveries: string[] = [];

/** The worker as a direct node process (no wrapper), so SIGKILL really kills the process holding the leases. */
const children: ChildProcess[] = [];
function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts/worker.ts")], { cwd: root, env: { ...process.env }, stdio: "ignore" });
  children.push(child);
  return child;
}

beforeAll(async () => {
  db = await connectTestDb();
  receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      deliveries.push(String(req.headers["idempotency-key"]));
      res.end("ok");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  await db.execute(sql`delete from runtime_workers`);
});

afterAll(async () => {
  // Even when the test failed or timed out: a worker left running would hold partitions in the next tests' database.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await new Promise((r) => receiver.close(r));
  await db.$end();
});

describe("crash safety", () => {
  it("loses no accepted event and queues no message twice when the worker is SIGKILLed mid-batch", { timeout: 120_000 }, async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await saveChannelProvider(db, workspace.id, "webhook", { provider: "webhook", url: receiverUrl, secret: "whsec_crash!", timeoutMs: 2000 });
    const doc = journeyDocumentSchema.parse({
      format: "waymark.journey/v1",
      id: `crash-${tag}`,
      name: "crash",
      settings: { reentry: "always" },
      nodes: [
        { id: "t", kind: "trigger", config: { event: "ping" } },
        { id: "m", kind: "message", config: { channel: "webhook", template: "pong" } },
      ],
      edges: [{ from: "t", to: "m" }],
    });
    await publishDocument(db, workspace.id, doc);

    const total = 3000;
    const now = Date.now();
    for (let i = 0; i < total; i += 1000) {
      const batch = Array.from({ length: 1000 }, (_, k) => ({
        type: "track" as const, userId: `c${(i + k) % 500}-${tag}`, anonymousId: null, customerId: `c${(i + k) % 500}-${tag}`, name: "ping",
        properties: { n: i + k }, traits: {}, context: {}, timestamp: new Date(now + i + k), messageId: `${tag}-${i + k}`,
      }));
      await appendEvents(db, workspace.id, batch, "test");
    }
    const processed = async () => Number(((await db.execute(sql`select count(*) as n from events where workspace_id = ${workspace.id} and not exists (select 1 from pending_events p where p.id = events.id)`)) as unknown as [{ n: string }])[0].n);

    const first = startWorker();
    const killAt = Date.now() + 60_000;
    while ((await processed()) < 300 && Date.now() < killAt) await new Promise((r) => setTimeout(r, 20));
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const atKill = await processed();
    expect(atKill).toBeLessThan(total); // the kill really happened mid-stream

    const second = startWorker();
    try {
      const end = Date.now() + 90_000;
      for (;;) {
        const sent = (await db.select({ status: outbox.status }).from(outbox).where(eq(outbox.workspaceId, workspace.id))).filter((r) => r.status === "sent").length;
        if ((await processed()) === total && sent === total) break;
        if (Date.now() > end) throw new Error(`timed out: processed ${await processed()}, sent ${sent}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      second.kill("SIGTERM");
      await new Promise((r) => second.once("exit", r));
      await db.execute(sql`delete from runtime_workers`);
    }
    const rows = await db.select({ key: outbox.key }).from(outbox).where(eq(outbox.workspaceId, workspace.id));
    const keys = new Set(rows.map((r) => r.key));
    const unprocessed = await queuedEvents(db, workspace.id);
    const delivered = deliveries.filter((k) => keys.has(k));
    const duplicates = delivered.length - new Set(delivered).size;
    console.log(`crash test: accepted ${total}, processed before kill ${atKill}, processed ${total - unprocessed.length}, queued ${keys.size}, delivered ${new Set(delivered).size}, wire duplicates ${duplicates}, lost ${total - new Set(delivered).size}`);
    expect(unprocessed).toHaveLength(0);
    expect(rows).toHaveLength(total);
    expect(keys.size).toBe(total);
    expect(new Set(delivered).size).toBe(total);
    // At-least-once on the wire: a repeat is only possible for messages in flight at the kill (one dispatch batch), each with its Idempotency-Key.
    expect(duplicates).toBeLessThanOrEqual(200);
  });
});
