import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { timers } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { journeyDocumentSchema } from "@/server/journey";
import { createJourneyIfMissing } from "@/server/journeys/upsert-journey-draft";
import { publishJourney } from "@/server/journeys/publish-journey";
import { processPartitions } from "./process-partitions";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

const all = Array.from({ length: 64 }, (_, i) => i);

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
    const { id } = await createJourneyIfMissing(db, { workspaceId: workspace.id, createdBy: null, document: doc });
    expect((await publishJourney(db, { workspaceId: workspace.id, journeyId: id, userId: null })).ok).toBe(true);
    const customer = `c-${tag}`;
    await appendEvents(db, workspace.id, [{ type: "track", userId: customer, anonymousId: null, customerId: customer, name: "visit", properties: {}, traits: {}, context: {}, timestamp: new Date(), messageId: `${tag}-1` }], "test");
    while ((await processPartitions(db, all, { batchSize: 500, ai: null })) > 0);
    const mine = () => db.select().from(timers).where(and(eq(timers.workspaceId, workspace.id), eq(timers.customerId, customer)));
    const waiting = (await mine()).filter((t) => (t.payload as { instanceId?: string }).instanceId);
    expect(waiting).toHaveLength(1);

    // A due timer whose payload this code does not know (a newer version's, or a damaged row).
    await db.execute(sql`insert into timers (workspace_id, customer_id, due_at, key, payload) values (${workspace.id}::uuid, ${customer}, now() - interval '1 second', 'from-the-future', '{"kind": "unknown"}'::jsonb)`);
    await processPartitions(db, all, { batchSize: 500, ai: null });
    const left = await mine();
    expect(left.map((t) => t.key)).not.toContain("from-the-future");
    expect(left.filter((t) => (t.payload as { instanceId?: string }).instanceId).map((t) => [t.id, t.key, t.dueAt.getTime()])).toEqual(waiting.map((t) => [t.id, t.key, t.dueAt.getTime()]));
  });
});
