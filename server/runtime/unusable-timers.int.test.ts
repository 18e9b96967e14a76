import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { timers } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { journeyDocumentSchema } from "@/server/journey";
import { processPartitions } from "./process-partitions";
import { allPartitions, drainRuntime, publishDocument } from "@/server/testing/runtime";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

describe("a timer the runtime cannot read", () => {
  it("is dropped alone: the customer's waits stay", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const doc = journeyDocumentSchema.parse({
      format: "waymark.journey/v1",
      id: `odd-${tag}`,
      name: "odd",
      nodes: [
        { id: "t", kind: "trigger", config: { event: "visit" } },
        { id: "w", kind: "wait", config: { for: "P1D" } },
        { id: "m", kind: "message", config: { channel: "in_app", template: "hello" } },
      ],
      edges: [{ from: "t", to: "w" }, { from: "w", to: "m" }],
    });
    await publishDocument(db, workspace.id, doc);
    const customer = `c-${tag}`;
    await appendEvents(db, workspace.id, [{ type: "track", userId: customer, anonymousId: null, customerId: customer, name: "visit", properties: {}, traits: {}, context: {}, timestamp: new Date(), messageId: `${tag}-1` }], "test");
    await drainRuntime(db, { batchSize: 500, ai: null });
    const mine = () => db.select().from(timers).where(and(eq(timers.workspaceId, workspace.id), eq(timers.customerId, customer)));
    const waiting = (await mine()).filter((t) => (t.payload as { instanceId?: string }).instanceId);
    expect(waiting).toHaveLength(1);

    // A due timer whose payload this code does not know (a newer version's, or a damaged row).
    await db.execute(sql`insert into timers (workspace_id, customer_id, due_at, key, payload) values (${workspace.id}::uuid, ${customer}, now() - interval '1 second', 'from-the-future', '{"kind": "unknown"}'::jsonb)`);
    await processPartitions(db, allPartitions, { batchSize: 500, ai: null });
    const left = await mine();
    expect(left.map((t) => t.key)).not.toContain("from-the-future");
    expect(left.filter((t) => (t.payload as { instanceId?: string }).instanceId).map((t) => [t.id, t.key, t.dueAt.getTime()])).toEqual(waiting.map((t) => [t.id, t.key, t.dueAt.getTime()]));
  });
});
