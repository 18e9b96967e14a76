import { sql } from "drizzle-orm";
import { executePrepared, intArray, type Queryable } from "@/db/client";
import { contextColumns, type ContextRows } from "./load-programs";
import { batchLockSpace, leaseHeldPartitions } from "./partition-lease";

export type ClaimedEvent = {
  id: number;
  workspaceId: string;
  customerId: string;
  type: "track" | "identify";
  name: string;
  userId: string | null;
  anonymousId: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
  timestamp: Date;
};

export type ClaimedTimer = { id: number; workspaceId: string; customerId: string; key: string; dueAt: Date; payload: unknown };

export type ClaimedBatch = {
  /** Queue rows taken (an event whose row was taken but which is gone, with its workspace, is not in `events`). */
  claimed: number;
  /**
   * The partitions this batch claimed from: of those asked for, the ones the lease session (`leasePid`) still holds,
   * checked once this transaction held their shared batch locks (see PartitionLease's fencing); all of them without a
   * `leasePid`.
   */
  fenced: number[];
  events: ClaimedEvent[];
  due: ClaimedTimer[];
  early: ClaimedTimer[];
  /** Stored states of these customers (none for a customer seen for the first time). */
  states: { workspaceId: string; customerId: string; state: unknown }[];
  /** Profiles of these customers (none for one whose events all came before profiles existed, as in some tests). */
  profiles: { workspaceId: string; customerId: string; traits: Record<string, unknown>; unsubscribed: boolean }[];
  /** The earliest timer of these partitions due after `now` (those due by now are in `due`, or the next claim's). */
  nextDue: Date | null;
  /**
   * What these customers' workspaces need to run (contextColumns), for the versions their stored instances are
   * pinned to as this statement read them; the caller checks the pins it reads itself are covered (coversPins).
   */
  context: ContextRows;
};

/**
 * A batch's work and what it needs to run, in ONE statement (it was five):
 *  - the oldest unprocessed events of the held partitions, taken off the
 *    queue (pending_events; SKIP LOCKED, so a second claimer never waits or
 *    doubles up; the delete commits with the batch's writes, or not at all);
 *  - the timers of those partitions due by the clock;
 *  - for each customer with events, their timers due before their latest
 *    claimed event (the runtime handles each customer's inputs in time order)
 *    and due by the clock: an event stamped in the future (a device's clock
 *    ahead; the API takes up to a day) must not bring a wait's end forward;
 *  - each of these customers' state (locked for the batch) and profile;
 *  - first, a shared batch lock on each partition asked for, then the
 *    check that the worker's lease session still holds them (pg_locks):
 *    work is claimed only from partitions that pass (`fenced`), and no
 *    other worker takes those until this transaction ends (PartitionLease);
 *  - what these customers' workspaces need to run: programs (with the
 *    versions their stored instances are pinned to), the bandit's counts,
 *    settings, score models, channel settings (contextColumns; it was a
 *    statement of its own, a round trip per batch);
 *  - when the partitions' next timer after these is due (one index probe per
 *    partition: timers_due is (partition, due_at); `min(due_at) where
 *    partition = any(…)` read every pending timer of those partitions, 16 ms
 *    with 100,000 pending), so the worker knows when to wake without a
 *    statement of its own after each batch.
 * Everything it returns is locked for this transaction where it is written.
 * States, profiles and early timers are looked up per customer: LATERAL,
 * kept from being flattened into a join by `offset 0`, so one index probe
 * each. Joined, the planner (expecting hundreds of due timers) hashed every
 * profile of the table, or every pending timer, for a batch of 16 customers.
 * The queue rows and their events are reached by primary key (`= any(array(…))`):
 * joined instead, the planner chose to hash the claimed ids against a scan of
 * every event (timer lateness p50 went from 1 ms to 12 ms in bench:e2e).
 */
export async function claimBatch(tx: Queryable, opts: { partitions: number[]; now: Date; limit: number; leasePid?: number | null }): Promise<ClaimedBatch> {
  // The partitions to claim from: those the lease still holds, once this transaction holds their batch locks (fenced).
  const partitions = sql`((select ps from fenced)::int[])`;
  const timerJson = sql.raw(`json_build_object('id', id, 'workspaceId', workspace_id, 'customerId', customer_id, 'key', key, 'dueAt', due_at, 'payload', payload)`);
  const [row] = (await executePrepared(tx, sql`
    with
    locked as materialized (
      select coalesce(array_agg(p order by p) filter (where pg_advisory_xact_lock_shared(${batchLockSpace}, p) is not null), '{}') as ps
      from unnest(${intArray(opts.partitions)}::int[]) as p),
    fenced as materialized (
      select coalesce(array_agg(p order by p), '{}') as ps
      from locked l cross join unnest(l.ps) as p
      where ${opts.leasePid ?? 0}::int = 0 or p = any(${leaseHeldPartitions(opts.leasePid ?? 0)})),
    claimed as (
      delete from pending_events where id = any(array(
        select id from pending_events
        where partition = any(${partitions})
        order by id
        limit ${opts.limit}
        for update skip locked))
      returning id),
    ev as (
      select id, workspace_id, customer_id, type, name, user_id, anonymous_id, properties, traits, context, timestamp
      from events
      where id = any(array(select id from claimed))),
    due as (
      select id, workspace_id, customer_id, key, due_at, payload
      from timers
      where partition = any(${partitions}) and due_at <= ${opts.now.toISOString()}::timestamptz
      order by due_at
      limit ${opts.limit}
      for update skip locked),
    latest as (select workspace_id, customer_id, max(timestamp) as until from ev group by workspace_id, customer_id),
    early as (
      select t.id, t.workspace_id, t.customer_id, t.key, t.due_at, t.payload
      from latest w cross join lateral (
        select * from timers t where t.workspace_id = w.workspace_id and t.customer_id = w.customer_id
          and t.due_at <= least(w.until, ${opts.now.toISOString()}::timestamptz) offset 0) t
      for update of t skip locked),
    who as (select workspace_id, customer_id from ev union select workspace_id, customer_id from due),
    st as (
      select s.workspace_id, s.customer_id, s.state from who w cross join lateral (
        select * from customer_states s where s.workspace_id = w.workspace_id and s.customer_id = w.customer_id offset 0) s
      for update of s),
    pins as (
      select distinct i->>'journey' as j, case when i ? 'version' then (i->>'version')::int else 0 end as v
      from st cross join lateral jsonb_array_elements(case when jsonb_typeof(st.state->'instances') = 'array' then st.state->'instances' else '[]' end) i
      where jsonb_typeof(i->'journey') = 'string' and (not (i ? 'version') or (i->>'version') ~ '^[0-9]{1,9}$'))
    select
      (select count(*)::int from claimed) as claimed,
      (select to_json(ps) from fenced) as fenced,
      (select coalesce(json_agg(json_build_object('id', id, 'workspaceId', workspace_id, 'customerId', customer_id, 'type', type, 'name', name,
        'userId', user_id, 'anonymousId', anonymous_id, 'properties', properties, 'traits', traits, 'context', context, 'timestamp', timestamp) order by id), '[]') from ev) as events,
      (select coalesce(json_agg(${timerJson} order by due_at, id), '[]') from due) as due,
      (select coalesce(json_agg(${timerJson} order by due_at, id), '[]') from early) as early,
      (select coalesce(json_agg(json_build_object('workspaceId', workspace_id, 'customerId', customer_id, 'state', state)), '[]') from st) as states,
      (select coalesce(json_agg(json_build_object('workspaceId', c.workspace_id, 'customerId', c.customer_id, 'traits', c.traits, 'unsubscribed', c.unsubscribed)), '[]')
        from who w cross join lateral (
          select * from customers c where c.workspace_id = w.workspace_id and c.customer_id = w.customer_id offset 0) c) as profiles,
      (select min(x.due_at) from unnest(${partitions}) as p(partition),
        lateral (select t.due_at from timers t where t.partition = p.partition and t.due_at > ${opts.now.toISOString()}::timestamptz order by t.due_at limit 1) as x) as "nextDue",
      ${contextColumns(sql`array(select distinct workspace_id from who)`, sql`select j, v from pins`)}
  `)) as unknown as [Pick<ClaimedBatch, "claimed" | "fenced" | "states" | "profiles"> & ContextRows & { events: (Omit<ClaimedEvent, "timestamp"> & { timestamp: string })[]; due: RawTimer[]; early: RawTimer[]; nextDue: string | null }];
  return {
    claimed: row.claimed,
    fenced: row.fenced,
    events: row.events.map((e) => ({ ...e, id: Number(e.id), timestamp: new Date(e.timestamp) })),
    due: row.due.map(timerOf),
    early: row.early.map(timerOf),
    states: row.states,
    profiles: row.profiles,
    nextDue: row.nextDue ? new Date(row.nextDue) : null,
    context: { versions: row.versions, stats: row.stats, settings: row.settings, models: row.models, channels: row.channels },
  };
}

type RawTimer = Omit<ClaimedTimer, "dueAt"> & { dueAt: string };
const timerOf = (t: RawTimer): ClaimedTimer => ({ ...t, id: Number(t.id), dueAt: new Date(t.dueAt) });
