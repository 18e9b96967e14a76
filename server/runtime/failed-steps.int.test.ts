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
    // Stored states that carry the current format (so they are taken as they are) but are not states:
    // `broken`'s instances are not a list (reading its timers throws), `odd`'s instance has no path (each step throws).
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
      expect(messages.map((m) => m.customerId)).toEqual([good]);
      expect(await queuedEvents(db, workspace.id)).toEqual([]);

      // Each failed input is on its customer's timeline, with what failed and why.
      const failed = await db.select().from(stepLog).where(and(eq(stepLog.workspaceId, workspace.id), eq(stepLog.type, "failed"))).orderBy(asc(stepLog.id));
      const seen = failed.map((f) => [f.customerId, (f.detail as { input: string }).input.replace(/\d+/g, "N"), f.detail.reason, /TypeError/.test(String(f.detail.error))]);
      expect(seen.sort()).toEqual(
        [
          [broken, "event N (ping)", "step_failed", true],
          [broken, "timer iN:N", "step_failed", true],
          [odd, "event N (ping)", "step_failed", true],
          [odd, "event N (ping)", "step_failed", true],
          [odd, "timer iN:N", "step_failed", true],
          [stale, "event N (ping)", "step_failed", false],
        [holey, "event N (ping)", "step_failed", true],
        ].sort(),
      );
      expect(failed.find((f) => f.customerId === stale)?.detail.error).toMatch(/stored state is not one this version can read/);
      // The states are left as they were.
      const states = await db.select().from(customerStates).where(eq(customerStates.workspaceId, workspace.id));
      for (const s of states.filter((x) => x.customerId !== good)) expect(s.state).toEqual(stored[s.customerId]);
      // Their due timers (a whole customer's that failed, and one whose own step threw) wait an hour instead of coming
      // back in every batch.
      const mine = (await db.select().from(timers).where(eq(timers.workspaceId, workspace.id))).filter((t) => t.customerId !== good); // good's: its daily scoring tick
      expect(mine.map((t) => [t.customerId, t.key]).sort()).toEqual([[broken, "i9:1"], [odd, "i1:1"]].sort());
      for (const t of mine) expect(t.dueAt.getTime()).toBeGreaterThanOrEqual(before + failedTimerRetryMs - 5_000);
      await processPartitions(db, allPartitions, { batchSize: 100, ai: null });
      expect(await db.select().from(stepLog).where(and(eq(stepLog.workspaceId, workspace.id), eq(stepLog.type, "failed")))).toHaveLength(failed.length);
    } finally {
      // Not left for later files' batches (some run at clocks hours ahead) to fail again.
      await db.delete(timers).where(eq(timers.workspaceId, workspace.id));
    }
  });
});
