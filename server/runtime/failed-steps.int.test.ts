import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { customerStates, outbox, stepLog, timers } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { emptyCustomerState, stateFormat } from "@/server/journey";
import { journey } from "@/server/journey/test-helpers";
import { allPartitions, drainRuntime, publishDocument, queuedEvents, trackEvent } from "@/server/testing/runtime";
import { failedTimerRetryMs, processPartitions } from "./process-partitions";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

const ping = (customerId: string, messageId: string) => trackEvent(customerId, messageId, "ping");

/**
 * A batch runs many customers in one transaction. An input whose step throws
 * (a bug, or a stored state that is not one) must fail alone: thrown out of
 * the batch, it rolled the batch back at every retry, and the worker's
 * partitions stopped for good.
 */
describe("a step that throws", () => {
  it("fails alone, on the customer's timeline: the batch commits for everyone else, and nothing comes back in every batch", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await drainRuntime(db, { ai: null }); // earlier files' leftovers first: the round below holds only this test's inputs
    await publishDocument(db, workspace.id, journey(`p-${tag}`, [["t", "trigger", { event: "ping" }], ["m", "message", { channel: "in_app", template: "pong" }]], ["t>m"], { reentry: "always" }));
    const [good, broken, odd, stale, holey] = [`good-${tag}`, `broken-${tag}`, `odd-${tag}`, `stale-${tag}`, `holey-${tag}`];
    // Stored states that carry the current format (so they are taken as they are) but are not states: `broken`'s
    // instances are not a list (reading its timers throws). `odd`'s instance has no path: only its own journey's steps
    // that extend a path fail on it (the next test); here its wait ends on a node with no way on, so it exits, and its
    // pings enter afresh.
    const format = stateFormat();
    const past = new Date(Date.now() - 60_000).toISOString();
    const oddInstance = { id: "i1", journey: `p-${tag}`, version: 1, key: null, group: "treatment", node: "m", enteredAt: past, goalBy: null, converted: false, seq: 1, waiting: { kind: "wait", until: past }, suppressUntil: null, entryEvent: {}, decisions: [] };
    // `stale`'s carries no format and does not parse (a hand edit, or a format this version cannot read): not replaced
    // by a fresh state, whose new instances would reuse old ids and so lose their messages to the outbox's unique keys.
    const stored = { [broken]: { ...emptyCustomerState(), instances: 5, format }, [odd]: { ...emptyCustomerState(), instances: [oddInstance], format }, [stale]: { instances: "none" }, [holey]: { ...emptyCustomerState(), instances: [null], format } };
    for (const [customerId, state] of Object.entries(stored)) await db.insert(customerStates).values({ workspaceId: workspace.id, customerId, state });
    await db.execute(sql`insert into timers (workspace_id, customer_id, due_at, key, payload) values
      (${workspace.id}::uuid, ${broken}, now() - interval '1 second', 'i9:1', '{"instanceId": "i9", "seq": 1}'::jsonb),
      (${workspace.id}::uuid, ${odd}, ${past}::timestamptz, 'i1:1', '{"instanceId": "i1", "seq": 1}'::jsonb)`);
    await appendEvents(db, workspace.id, [ping(good, `${tag}-1`), ping(broken, `${tag}-2`), ping(odd, `${tag}-3`), ping(odd, `${tag}-4`), ping(stale, `${tag}-5`), ping(holey, `${tag}-6`)], "test");

    const before = Date.now();
    // One batch, and it commits: the good customer's message is queued. (At least: a timer of another file may come due.)
    try {
      expect(await processPartitions(db, allPartitions, { batchSize: 100, ai: null })).toBeGreaterThanOrEqual(8);
      const messages = await db.select().from(outbox).where(eq(outbox.workspaceId, workspace.id));
      expect(messages.map((m) => m.customerId).sort()).toEqual([good, odd, odd].sort());
      expect(await queuedEvents(db, workspace.id)).toEqual([]);

      // Each failed input is on its customer's timeline, with what failed and why.
      const failed = await db.select().from(stepLog).where(and(eq(stepLog.workspaceId, workspace.id), eq(stepLog.type, "failed"))).orderBy(asc(stepLog.id));
      const seen = failed.map((f) => [f.customerId, (f.detail as { input: string }).input.replace(/\d+/g, "N"), f.detail.reason, /TypeError/.test(String(f.detail.error))]);
      expect(seen.sort()).toEqual(
        [
          [broken, "event N (ping)", "step_failed", true],
          [broken, "timer iN:N", "step_failed", true],
          [stale, "event N (ping)", "step_failed", false],
        [holey, "event N (ping)", "step_failed", true],
        ].sort(),
      );
      expect(failed.find((f) => f.customerId === stale)?.detail.error).toMatch(/stored state is not one this version can read/);
      // The states are left as they were.
      const states = await db.select().from(customerStates).where(eq(customerStates.workspaceId, workspace.id));
      for (const s of states.filter((x) => x.customerId !== good && x.customerId !== odd)) expect(s.state).toEqual(stored[s.customerId]);
      // Their due timers (a whole customer's that failed, and one whose own step threw) wait an hour instead of coming
      // back in every batch.
      const mine = (await db.select().from(timers).where(eq(timers.workspaceId, workspace.id))).filter((t) => t.customerId !== good && t.customerId !== odd); // theirs: a daily scoring tick
      expect(mine.map((t) => [t.customerId, t.key]).sort()).toEqual([[broken, "i9:1"]]);
      for (const t of mine) expect(t.dueAt.getTime()).toBeGreaterThanOrEqual(before + failedTimerRetryMs - 5_000);
      await processPartitions(db, allPartitions, { batchSize: 100, ai: null });
      expect(await db.select().from(stepLog).where(and(eq(stepLog.workspaceId, workspace.id), eq(stepLog.type, "failed")))).toHaveLength(failed.length);
    } finally {
      // Not left for later files' batches (some run at clocks hours ahead) to fail again.
      await db.delete(timers).where(eq(timers.workspaceId, workspace.id));
    }
  });

  it("fails one journey alone when only its part throws: the customer's other journeys go on, and the failure names it", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await drainRuntime(db, { ai: null });
    const [a, b] = [`a-${tag}`, `b-${tag}`];
    // a: start → wait a day → message, goal `ping`; b: ping → message.
    await publishDocument(db, workspace.id, journey(a, [["t", "trigger", { event: "start" }], ["w", "wait", { for: "P1D" }], ["m", "message", { channel: "in_app", template: "A" }]], ["t>w", "w>m"], { goal: { event: "ping", within: "P7D" } }));
    await publishDocument(db, workspace.id, journey(b, [["t", "trigger", { event: "ping" }], ["m", "message", { channel: "in_app", template: "B" }]], ["t>m"], { reentry: "always" }));
    const [pinged, waited, plain] = [`pinged-${tag}`, `waited-${tag}`, `plain-${tag}`];
    const format = stateFormat();
    const past = new Date(Date.now() - 60_000).toISOString();
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const instance = { journey: a, version: 1, key: null, group: "treatment", node: "w", enteredAt: past, goalBy: future, converted: false, seq: 1, suppressUntil: null, entryEvent: {}, decisions: [], path: ["t", "w"] };
    // Instances of a stored in shapes this version cannot handle: `pinged`'s has no decisions (a's goal handling throws
    // on ping), `waited`'s path is text (a's step on from the wait throws when its timer fires).
    const { decisions: _none, ...noDecisions } = { ...instance, id: `${a}:${pinged}:1`, waiting: { kind: "wait", until: future } };
    const stored = {
      [pinged]: { ...emptyCustomerState(), journeys: { [a]: { entries: 1, lastEnteredAt: past, lastExitedAt: null } }, instances: [noDecisions], format },
      [waited]: { ...emptyCustomerState(), journeys: { [a]: { entries: 1, lastEnteredAt: past, lastExitedAt: null } }, instances: [{ ...instance, id: `${a}:${waited}:1`, waiting: { kind: "wait", until: past }, path: "t,w" }], format },
    };
    for (const [customerId, state] of Object.entries(stored)) await db.insert(customerStates).values({ workspaceId: workspace.id, customerId, state });
    await db.execute(sql`insert into timers (workspace_id, customer_id, due_at, key, payload) values
      (${workspace.id}::uuid, ${pinged}, ${future}::timestamptz, ${`${a}:${pinged}:1:1`}, ${JSON.stringify({ instanceId: `${a}:${pinged}:1`, seq: 1 })}::jsonb),
      (${workspace.id}::uuid, ${waited}, ${past}::timestamptz, ${`${a}:${waited}:1:1`}, ${JSON.stringify({ instanceId: `${a}:${waited}:1`, seq: 1 })}::jsonb)`);
    await appendEvents(db, workspace.id, [ping(pinged, `${tag}-1`), ping(plain, `${tag}-2`)], "test");

    const before = Date.now();
    try {
      await drainRuntime(db, { ai: null });
      expect(await queuedEvents(db, workspace.id)).toEqual([]);
      // b went on for the customer whose a failed, as for anyone else.
      const messages = await db.select().from(outbox).where(eq(outbox.workspaceId, workspace.id));
      expect(messages.map((m) => [m.customerId, m.journeyId]).sort()).toEqual([[pinged, b], [plain, b]].sort());
      // Each failure is on the timeline, with its journey and version.
      const failed = await db.select().from(stepLog).where(and(eq(stepLog.workspaceId, workspace.id), eq(stepLog.type, "failed"))).orderBy(asc(stepLog.id));
      expect(failed.map((f) => [f.customerId, f.journeyId, f.version, (f.detail as { input: string }).input.replace(/\d+/g, "N"), /TypeError/.test(String(f.detail.error))]).sort()).toEqual(
        [
          [pinged, a, 1, "event N (ping)", true],
          [waited, a, 1, `timer ${a}:${waited}:N:N`.replace(/\d+/g, "N"), true],
        ].sort(),
      );
      // a's instances are as they were; `pinged` also went through b.
      const states = new Map((await db.select().from(customerStates).where(eq(customerStates.workspaceId, workspace.id))).map((s) => [s.customerId, s.state as { instances: unknown[]; journeys: Record<string, unknown> }]));
      expect(states.get(pinged)!.instances).toEqual(stored[pinged]!.instances);
      expect(Object.keys(states.get(pinged)!.journeys).sort()).toEqual([a, b].sort());
      // `waited`'s instance too, but for its wait's end: the failed timer waits an hour instead of coming back in every
      // batch (moved in the state, where the customer's timers come from); the other keeps its time.
      const [waitedNow] = states.get(waited)!.instances as { waiting: { until: string } }[];
      expect({ ...waitedNow, waiting: { ...waitedNow!.waiting, until: "" } }).toEqual({ ...stored[waited]!.instances[0], waiting: { kind: "wait", until: "" } });
      expect(Date.parse(waitedNow!.waiting.until)).toBeGreaterThanOrEqual(before + failedTimerRetryMs - 5_000);
      const timerDue = async () => new Map((await db.select().from(timers).where(eq(timers.workspaceId, workspace.id))).map((t) => [t.key, t.dueAt.getTime()]));
      expect((await timerDue()).get(`${a}:${waited}:1:1`)).toBe(Date.parse(waitedNow!.waiting.until));
      expect((await timerDue()).get(`${a}:${pinged}:1:1`)).toBe(Date.parse(future));
      // The customer's next input (an event no journey takes: a ping would be a's goal) does not bring the failed timer
      // back, nor fail it again.
      await appendEvents(db, workspace.id, [trackEvent(waited, `${tag}-3`, "visit")], "test");
      await drainRuntime(db, { ai: null });
      expect((await timerDue()).get(`${a}:${waited}:1:1`)).toBe(Date.parse(waitedNow!.waiting.until));
      expect(await db.select().from(stepLog).where(and(eq(stepLog.workspaceId, workspace.id), eq(stepLog.type, "failed")))).toHaveLength(2);
      expect(await queuedEvents(db, workspace.id)).toEqual([]);
    } finally {
      await db.delete(timers).where(eq(timers.workspaceId, workspace.id));
    }
  });
});
