import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { outbox, stepLog } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { emptyCustomerState, journeyDocumentSchema } from "@/server/journey";
import { writeOutcomes } from "@/server/runtime/write-outcomes";
import { createApiKey } from "@/server/workspaces/api-keys";
import { journeyActionRoute } from "./management-api";
import { setJourneyStatus } from "./set-journey-status";
import { drainRuntime, publishDocument } from "@/server/testing/runtime";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});
const hour = 3600_000;
async function drainAt(now: number) {
  await drainRuntime(db, { batchSize: 500, now: () => new Date(now), ai: null });
}

async function setup() {
  const { workspace, tag } = await makeWorkspace(db, ["admin"]);
  const doc = journeyDocumentSchema.parse({
    format: "waymark.journey/v1",
    id: `pause-${tag}`,
    name: "pause",
    settings: { timezone: "UTC" },
    nodes: [
      { id: "t", kind: "trigger", config: { event: "visit" } },
      { id: "w", kind: "wait", config: { for: "PT1H" } },
      { id: "m", kind: "message", config: { channel: "in_app", template: "hello" } },
    ],
    edges: [{ from: "t", to: "w" }, { from: "w", to: "m" }],
  });
  const id = await publishDocument(db, workspace.id, doc);
  const t0 = Date.now();
  const visit = (customer: string, at: number) => ({
    type: "track" as const, userId: customer, anonymousId: null, customerId: customer, name: "visit", properties: {}, traits: {}, context: {}, timestamp: new Date(at), messageId: `${tag}-${customer}-${at}`,
  });
  const sent = async () =>
    ((await db.select({ customerId: outbox.customerId }).from(outbox).where(eq(outbox.workspaceId, workspace.id))) as { customerId: string }[]).map((r) => r.customerId).sort();
  const entered = async () =>
    ((await db.select({ customerId: stepLog.customerId }).from(stepLog).where(and(eq(stepLog.workspaceId, workspace.id), eq(stepLog.type, "enter")))) as { customerId: string }[]).map((r) => r.customerId).sort();
  return { workspace, tag, slug: doc.id, id, t0, visit, sent, entered };
}

describe("pausing a journey", () => {
  it("with hold, keeps customers where they are (no timer fires) until it resumes; then their overdue waits fire at once", { timeout: 60_000 }, async () => {
    const s = await setup();
    await appendEvents(db, s.workspace.id, [s.visit("a", s.t0), s.visit("b", s.t0)], "test");
    await drainAt(s.t0 + 1000);
    expect(await s.entered()).toEqual(["a", "b"]);

    expect((await setJourneyStatus(db, { workspaceId: s.workspace.id, journeyId: s.id, move: "pause", hold: true })).ok).toBe(true);
    // Two hours on: the waits have ended, but nothing moves; a new visitor does not enter.
    await appendEvents(db, s.workspace.id, [s.visit("c", s.t0 + 2 * hour)], "test");
    await drainAt(s.t0 + 2 * hour);
    expect(await s.sent()).toEqual([]);
    expect(await s.entered()).toEqual(["a", "b"]);
    const instanceTimers = (await db.execute(sql`select count(*)::int as n from timers where workspace_id = ${s.workspace.id} and payload ? 'instanceId'`)) as unknown as [{ n: number }];
    expect(instanceTimers[0].n).toBe(0);

    // Resume: both are woken and their message goes out in the next batch.
    const resumed = await setJourneyStatus(db, { workspaceId: s.workspace.id, journeyId: s.id, move: "resume" });
    expect(resumed.ok && resumed.value.pauseMode).toBe(null);
    await drainAt(s.t0 + 2 * hour + 1000);
    expect(await s.sent()).toEqual(["a", "b"]);
    const wakes = (await db.execute(sql`select count(*)::int as n from timers where workspace_id = ${s.workspace.id} and payload ? 'wake'`)) as unknown as [{ n: number }];
    expect(wakes[0].n).toBe(0);
  });

  it("by default lets customers in it finish, and the API takes the mode (a bad one is refused and changes nothing)", { timeout: 60_000 }, async () => {
    const s = await setup();
    const { key } = await createApiKey(db, { workspaceId: s.workspace.id, createdBy: null, name: "k", scopes: ["journeys:write"] });
    const pause = (query: string, body?: string) =>
      journeyActionRoute(db, new Request(`http://waymark.test/api/v1/journeys/${s.slug}/pause${query}`, { method: "POST", headers: { authorization: `Bearer ${key}` }, body }), s.slug, "pause");

    await appendEvents(db, s.workspace.id, [s.visit("a", s.t0)], "test");
    await drainAt(s.t0 + 1000);

    const bad = await pause("?mode=freeze");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/mode must be "finish".*or "hold"/);
    expect((await pause("", "{not json")).status).toBe(400);
    const status = (await db.execute(sql`select status, pause_mode from journeys where id = ${s.id}`)) as unknown as [{ status: string; pause_mode: string | null }];
    expect(status[0]).toEqual({ status: "live", pause_mode: null });

    const ok = await pause("", JSON.stringify({ mode: "finish" }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: "paused", pauseMode: "finish" });
    await appendEvents(db, s.workspace.id, [s.visit("b", s.t0 + 2 * hour)], "test");
    await drainAt(s.t0 + 2 * hour);
    // a finished (its message went out on time); b was not let in.
    expect(await s.sent()).toEqual(["a"]);
    expect(await s.entered()).toEqual(["a"]);
  });
});

describe("a wake-up written while a batch runs", () => {
  it("is deleted only by a batch that claimed it: one that read the timers before the resume leaves it for the next", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const customer = `c-${tag}`;
    // The resume's wake-up, and a timer the customer's state no longer has.
    await db.execute(sql`insert into timers (workspace_id, customer_id, due_at, key, payload) values
      (${workspace.id}::uuid, ${customer}, now(), 'wake:j', '{"wake": true}'::jsonb),
      (${workspace.id}::uuid, ${customer}, now(), 'gone:1', '{"instanceId": "gone", "seq": 1}'::jsonb)`);
    const keys = async () => ((await db.execute(sql`select key from timers where customer_id = ${customer} order by key`)) as unknown as { key: string }[]).map((r) => r.key);
    const [wake] = (await db.execute(sql`select id from timers where customer_id = ${customer} and key = 'wake:j'`)) as unknown as [{ id: string }];
    const outcome = { workspaceId: workspace.id, customerId: customer, state: emptyCustomerState(), effects: [], timers: [], traitUpdates: {} };

    // A batch whose claim did not see the wake-up (it read the journey as still held): the wake-up stays.
    await db.transaction((tx) => writeOutcomes(tx, [outcome]));
    expect(await keys()).toEqual(["wake:j"]);
    // The next batch claimed it and ran it: it goes.
    await db.transaction((tx) => writeOutcomes(tx, [{ ...outcome, claimedWakes: [Number(wake.id)] }]));
    expect(await keys()).toEqual([]);
  });
});
