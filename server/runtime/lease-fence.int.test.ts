import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { partitionCount } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import type { ModelProvider } from "@/server/decisions/model-provider";
import { appendEvents } from "@/server/ingest/append-events";
import { journeyDocumentSchema } from "@/server/journey";
import { publishDocument, queuedEvents, trackEvent } from "@/server/testing/runtime";
import { LeaseLostError, PartitionLease } from "./partition-lease";
import { processPartitions } from "./process-partitions";

/**
 * Fencing (see PartitionLease): a worker whose lease session ends while its batch goes on must not have that batch
 * commit after another worker took the partitions, and the other worker must not take a partition while such a
 * batch is still in flight. The batch is held open mid-transaction by a `model` decision whose (real, loopback)
 * model provider answers only when the test says so.
 */
let db: Db;
let server: Server;
let baseUrl: string;
let asked: () => void = () => undefined;
let answer: Promise<void> = Promise.resolve();
const leases: PartitionLease[] = [];

beforeAll(async () => {
  db = await connectTestDb();
  await db.execute(sql`delete from runtime_workers`);
  server = createServer((req, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      asked();
      void answer.then(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content: '{"option":"a"}' }, finish_reason: "stop" }] }));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  for (const lease of leases) await lease.stop();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await db.$end();
});

const provider = (): ModelProvider => ({ baseUrl, model: "tiny-model", timeoutMs: 20_000, attempts: 1 });

async function startLease(name: string): Promise<PartitionLease> {
  const lease = new PartitionLease(db.$client, name);
  leases.push(lease);
  await lease.start();
  return lease;
}

describe("lease fencing", () => {
  it("a batch whose lease was lost rolls back, and no worker takes its partition until it has ended", { timeout: 60_000 }, async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const doc = journeyDocumentSchema.parse({
      format: "waymark.journey/v1",
      id: `fence-${tag}`,
      name: "fence",
      nodes: [
        { id: "t", kind: "trigger", config: { event: "go" } },
        { id: "d", kind: "decision", config: { policy: "model", options: [{ handle: "a", label: "Offer A" }, { handle: "b", label: "Offer B" }] } },
        { id: "ma", kind: "message", config: { channel: "in_app", template: "A" } },
        { id: "mb", kind: "message", config: { channel: "in_app", template: "B" } },
        { id: "mf", kind: "message", config: { channel: "in_app", template: "fallback" } },
      ],
      edges: [{ from: "t", to: "d" }, { from: "d", handle: "a", to: "ma" }, { from: "d", handle: "b", to: "mb" }, { from: "d", handle: "fallback", to: "mf" }],
    });
    await publishDocument(db, workspace.id, doc);
    await appendEvents(db, workspace.id, [trackEvent("ann", `${tag}-1`, "go", new Date(Date.now() - 1_000))], "test");
    const [{ partition }] = (await queuedEvents(db, workspace.id)) as [{ id: number; partition: number }];
    const outbox = async () => (await db.execute(sql`select node_id as "nodeId" from outbox where workspace_id = ${workspace.id}`)) as unknown as { nodeId: string }[];
    const stateRows = async () => (await db.execute(sql`select 1 from customer_states where workspace_id = ${workspace.id} and customer_id = 'ann'`)).length;

    // Worker A holds every partition and starts a batch, which waits for the model mid-transaction.
    const a = await startLease("fence-a");
    expect((await a.rebalance()).length).toBe(partitionCount);
    const aPid = a.pid!;
    const modelAsked = new Promise<void>((r) => (asked = r));
    let release!: () => void;
    answer = new Promise<void>((r) => (release = r));
    const batchA = processPartitions(db, [...a.held], { batchSize: 500, ai: provider(), leasePid: aPid }).then(
      (handled) => ({ handled, error: null as unknown }),
      (error: unknown) => ({ handled: 0, error }),
    );
    await modelAsked;

    // A's lease session ends (cut, or ended by hand) while its batch goes on: its partition locks are gone.
    await db.execute(sql`select pg_terminate_backend(${aPid}, 5000)`);

    // B takes what is free, but not the partition A's batch is still working in.
    const b = await startLease("fence-b");
    const bHeld = await b.rebalance();
    expect(bHeld).not.toContain(partition);
    expect(bHeld.length).toBeGreaterThanOrEqual(partitionCount - 8); // only partitions with claimed work are refused

    // A's batch goes on; its write finds the lease gone and rolls back: the event is still queued, nothing was written.
    release();
    const resultA = await batchA;
    expect(resultA.error).toBeInstanceOf(LeaseLostError);
    expect((resultA.error as LeaseLostError).partitions).toContain(partition);
    expect((await queuedEvents(db, workspace.id)).map((e) => e.partition)).toEqual([partition]);
    expect(await stateRows()).toBe(0);
    expect(await outbox()).toEqual([]);

    // With A's batch over, B takes the partition at its next rebalance and handles the event, once.
    expect(await b.rebalance()).toContain(partition);
    answer = Promise.resolve();
    await processPartitions(db, [...b.held], { batchSize: 500, ai: provider(), leasePid: b.pid });
    expect(await queuedEvents(db, workspace.id)).toEqual([]);
    expect(await stateRows()).toBe(1);
    expect(await outbox()).toEqual([{ nodeId: "ma" }]);
  });
});
