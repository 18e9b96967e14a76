import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { outbox, timers } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { journey } from "@/server/journey/test-helpers";
import { drainRuntime, publishDocument, trackEvent } from "@/server/testing/runtime";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

const hour = 3_600_000;

describe("an event stamped in the future (a device clock ahead)", () => {
  it("does not bring a wait's end forward: the wait's message goes when it is due, not when the event arrives", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await publishDocument(db, workspace.id, journey(`w-${tag}`, [["t", "trigger", { event: "visit" }], ["w", "wait", { for: "PT2H" }], ["m", "message", { channel: "in_app", template: "hello" }]], ["t>w", "w>m"]));
    const customer = `c-${tag}`;
    const t0 = Date.now();
    await appendEvents(db, workspace.id, [trackEvent(customer, `${tag}-1`, "visit", new Date(t0))], "test");
    await drainRuntime(db, { ai: null, now: () => new Date(t0 + 1000) });
    const waits = () => db.select().from(timers).where(and(eq(timers.workspaceId, workspace.id), eq(timers.customerId, customer)));
    const [wait] = (await waits()).filter((t) => (t.payload as { instanceId?: string }).instanceId);
    expect(wait!.dueAt.getTime()).toBe(t0 + 2 * hour);

    // 20 hours ahead of the clock (the API takes up to a day).
    await appendEvents(db, workspace.id, [trackEvent(customer, `${tag}-2`, "browse", new Date(t0 + 20 * hour))], "test");
    await drainRuntime(db, { ai: null, now: () => new Date(t0 + 2000) });
    expect(await db.select().from(outbox).where(eq(outbox.workspaceId, workspace.id))).toEqual([]);
    expect((await waits()).map((t) => [t.key, t.dueAt.getTime()])).toContainEqual([wait!.key, t0 + 2 * hour]);

    // When it is due, it fires.
    await drainRuntime(db, { ai: null, now: () => new Date(t0 + 2 * hour + 1000) });
    expect((await db.select().from(outbox).where(eq(outbox.workspaceId, workspace.id))).map((m) => m.customerId)).toEqual([customer]);
  });
});
