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

/** A journey whose decision asks the model: a batch that handles its trigger waits for the model, mid-transaction. */
async function modelJourney(tag: string, workspaceId: string) {
  await publishDocument(
    db,
    workspaceId,
    journeyDocumentSchema.parse({
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
    }),
  );
}

/** The model holds its answers until `release` is called. */
function holdModel(): { asked: Promise<void>; release: () => void } {
  const modelAsked = new Promise<void>((r) => (asked = r));
  let release!: () => void;
  answer = new Promise<void>((r) => (release = r));
  return { asked: modelAsked, release };
}

const settle = <T,>(p: Promise<T>) => p.then((value) => ({ value, error: null as unknown }), (error: unknown) => ({ value: undefined, error }));

describe("lease fencing", () => {
  it("a batch in flight when its lease is lost keeps its partition from every other worker until it ends", { timeout: 60_000 }, async () => {
    await db.execute(sql`delete from runtime_workers`);
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await modelJourney(tag, workspace.id);
    await appendEvents(db, workspace.id, [trackEvent("ann", `${tag}-1`, "go", new Date(Date.now() - 1_000))], "test");
    const [{ partition }] = (await queuedEvents(db, workspace.id)) as [{ id: number; partition: number }];
    const outbox = async () => (await db.execute(sql`select node_id as "nodeId" from outbox where workspace_id = ${workspace.id}`)) as unknown as { nodeId: string }[];

    // Worker A holds every partition and starts a batch on this one, which waits for the model mid-transaction.
    const a = await startLease("fence-a");
    expect((await a.rebalance()).length).toBe(partitionCount);
    const model = holdModel();
    const batchA = settle(processPartitions(db, [partition], { batchSize: 500, ai: provider(), leasePid: a.pid }));
    await Promise.race([model.asked, batchA.then((r) => Promise.reject(new Error(`the batch ended before asking the model: ${String(r.error ?? r.value)}`)))]);

    // A's lease session ends (cut, or ended by hand) while its batch goes on: its partition locks are gone.
    await db.execute(sql`select pg_terminate_backend(${a.pid}::int, 5000)`);

    // B takes every free partition, but not the one A's batch is working in.
    const b = await startLease("fence-b");
    const bHeld = await b.rebalance();
    expect(bHeld).not.toContain(partition);
    expect(bHeld).toHaveLength(partitionCount - 1);

    // A's batch, checked when it claimed (its lease held the partition then), finishes: the event is handled once.
    model.release();
    const resultA = await batchA;
    expect(resultA.error).toBeNull();
    expect(resultA.value).toBeGreaterThanOrEqual(1); // (with any events other tests left queued in that partition)
    expect(await queuedEvents(db, workspace.id)).toEqual([]);
    expect(await outbox()).toEqual([{ nodeId: "ma" }]);

    // With A's batch over, B takes the partition at its next rebalance; nothing is left to do there.
    expect(await b.rebalance()).toContain(partition);
    answer = Promise.resolve();
    await processPartitions(db, [partition], { batchSize: 500, ai: provider(), leasePid: b.pid });
    expect(await outbox()).toEqual([{ nodeId: "ma" }]);
    for (const lease of leases.splice(0)) await lease.stop();
  });

  it("a batch started after its lease was lost claims nothing, so another worker handles the customer's events in order", { timeout: 60_000 }, async () => {
    await db.execute(sql`delete from runtime_workers`);
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await modelJourney(tag, workspace.id);
    const a = await startLease("fence-c");
    await a.rebalance();
    const stalePid = a.pid!;
    // A's lease session ends; before A notices, B takes every partition.
    await db.execute(sql`select pg_terminate_backend(${stalePid}::int, 5000)`);
    const b = await startLease("fence-d");
    expect(await b.rebalance()).toHaveLength(partitionCount);

    // The customer's first event arrives, and A, still believing it holds the partitions, starts a batch.
    await appendEvents(db, workspace.id, [trackEvent("bob", `${tag}-1`, "go", new Date(Date.now() - 2_000))], "test");
    const [{ partition }] = (await queuedEvents(db, workspace.id)) as [{ id: number; partition: number }];
    const model = holdModel();
    const stale = settle(processPartitions(db, [partition], { batchSize: 500, ai: provider(), leasePid: stalePid }));
    // Then their second event; B's batch must take both, in order (a stale batch holding the first would make B skip it).
    await appendEvents(db, workspace.id, [trackEvent("bob", `${tag}-2`, "visit", new Date(Date.now() - 1_000))], "test");
    try {
      const staleResult = await Promise.race([stale, new Promise((r) => setTimeout(() => r("still running"), 2_000))]);
      expect(staleResult).toMatchObject({ error: expect.any(LeaseLostError) });
      answer = Promise.resolve();
      // (The count may include events other tests left queued in that partition.)
      expect(await processPartitions(db, [partition], { batchSize: 500, ai: provider(), leasePid: b.pid })).toBeGreaterThanOrEqual(2);
      expect(await queuedEvents(db, workspace.id)).toEqual([]);
    } finally {
      model.release();
      await stale;
    }
    for (const lease of leases.splice(0)) await lease.stop();
  });
});
