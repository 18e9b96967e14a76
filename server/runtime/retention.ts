import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";

/** The advisory lock (one key) a retention chunk holds: one worker prunes at a time, the others skip. */
const retentionLock = 727_003;

export type PruneResult = { events: number; stepLog: number; messages: number; done: boolean };

/**
 * Retention (WAYMARK_RETENTION_DAYS): removes what is older than `days`,
 * in chunks of `chunk` rows, each chunk its own short transaction (no lock
 * held long on these hot tables), at most `maxChunks` per table per call:
 *  - events received before then that the runtime has processed (an event
 *    still in pending_events stays, however old: nothing accepted is lost);
 *  - step log rows written before then: below the highest id of the last
 *    mark older than the period (each pass marks the step log's highest id
 *    in retention_marks, so rows are found by primary key; see the table).
 *    The first pass marks only: rows go once a mark is older than the period,
 *    so a database that turns retention on keeps its step log that long;
 *  - outbox messages created before then that are final (sent or dead); a
 *    message still pending or retrying stays.
 * Left alone: customer profiles and states (a customer's frequency caps and
 * entry history live there), timers, and the analytics counters (the journey
 * dashboards read those, so their figures do not change). The decision
 * report's offline evaluation reads the step log: it covers the period kept.
 * What goes with the events is their messageId: a batch replayed after the
 * retention period is accepted again, as a new one.
 * Returns null when another worker is pruning (its lock is held).
 * `done` is false when a table still had rows to remove after `maxChunks`, or
 * `keepGoing` said to stop (a worker stopping).
 */
export async function pruneOldData(
  db: Db,
  opts: {
    days: number;
    chunk?: number;
    maxChunks?: number;
    keepGoing?: () => boolean;
    /** Only these workspaces' rows (tests, on a database other tests share); every workspace when unset. */
    workspaceIds?: string[];
  },
): Promise<PruneResult | null> {
  const chunk = opts.chunk ?? 2_000;
  const maxChunks = opts.maxChunks ?? 50;
  const cutoff = sql`now() - ${Math.round(opts.days * 86_400)}::int * interval '1 second'`;
  const workspaceIds = opts.workspaceIds ?? ((await db.execute(sql`select id from workspaces order by id`)) as unknown as { id: string }[]).map((w) => w.id);
  const result: PruneResult = { events: 0, stepLog: 0, messages: 0, done: true };

  /** Runs `work` in a transaction of its own under the retention lock; null (nothing done) when another worker holds it. */
  const underLock = <T>(work: (tx: Parameters<Parameters<Db["transaction"]>[0]>[0]) => Promise<T>) =>
    db.transaction(async (tx) => {
      const [{ ok }] = (await tx.execute(sql`select pg_try_advisory_xact_lock(${retentionLock}) as ok`)) as unknown as [{ ok: boolean }];
      return ok ? work(tx) : null;
    });
  /** One chunk's delete: the rows it removed, or null when another worker holds the lock. */
  const deleteChunk = (statement: ReturnType<typeof sql>) =>
    underLock(async (tx) => {
      const [{ n }] = (await tx.execute(sql`with gone as (${statement} returning 1) select count(*)::int as n from gone`)) as unknown as [{ n: number }];
      return n;
    });
  /** Deletes chunk after chunk until one comes back short; false when another worker holds the lock. */
  const drain = async (statement: ReturnType<typeof sql>, add: (n: number) => void): Promise<boolean> => {
    for (let i = 0; i < maxChunks; i++) {
      if (opts.keepGoing && !opts.keepGoing()) {
        result.done = false;
        return true;
      }
      const n = await deleteChunk(statement);
      if (n === null) return false;
      add(n);
      if (n < chunk) return true;
    }
    result.done = false;
    return true;
  };

  for (const ws of workspaceIds) {
    // By workspace: each table's (workspace, time) index finds the old rows.
    const events = sql`
      delete from events where id = any(array(
        select e.id from events e
        where e.workspace_id = ${ws} and e.received_at < ${cutoff}
          and not exists (select 1 from pending_events p where p.id = e.id)
        order by e.received_at limit ${chunk}))`;
    if (!(await drain(events, (n) => (result.events += n)))) return null;
    const messages = sql`
      delete from outbox where id = any(array(
        select o.id from outbox o
        where o.workspace_id = ${ws} and o.created_at < ${cutoff} and o.status in ('sent', 'dead')
        order by o.created_at limit ${chunk}))`;
    if (!(await drain(messages, (n) => (result.messages += n)))) return null;
  }
  // The step log: this pass's mark, then what is below the newest mark older than the period (by primary key).
  const boundary = await underLock(async (tx) => {
    await tx.execute(sql`insert into retention_marks (taken_at, step_log_id) select now(), coalesce(max(id), 0) from step_log on conflict do nothing`);
    const [mark] = (await tx.execute(sql`select taken_at as "takenAt", step_log_id as "id" from retention_marks where taken_at < ${cutoff} order by taken_at desc limit 1`)) as unknown as [{ takenAt: string; id: string } | undefined];
    // Older marks than the one in use are spent.
    if (mark) await tx.execute(sql`delete from retention_marks where taken_at < ${mark.takenAt}::timestamptz`);
    return mark ? Number(mark.id) : 0;
  });
  if (boundary === null) return null;
  if (boundary > 0) {
    const scope = opts.workspaceIds ? sql`and s.workspace_id = any(${`{${opts.workspaceIds.join(",")}}`}::uuid[])` : sql``;
    const steps = sql`
      delete from step_log where id = any(array(
        select s.id from step_log s where s.id <= ${boundary} ${scope} order by s.id limit ${chunk}))`;
    if (!(await drain(steps, (n) => (result.stepLog += n)))) return null;
  }
  return result;
}
