import { createHash } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import { executePrepared, intArray, type Queryable } from "@/db/client";
import { durationBucket } from "@/server/analytics/duration-buckets";
import { mergeStatsUpdates, statsUpdates } from "@/server/decisions/learning";
import { stateFormat, type CustomerState, type Effect, type Timer } from "@/server/journey";
import type { ScoreModels } from "@/server/scores/model";
import { scoreModelIncrementRows } from "@/server/scores/store";

export type CustomerOutcome = {
  workspaceId: string;
  customerId: string;
  state: CustomerState;
  effects: Effect[];
  timers: Timer[];
  traitUpdates: Record<string, unknown>;
  /**
   * The ids of this customer's wake-up timers (`wake:<journey>`, written when a held journey resumes) that the batch
   * claimed. A wake-up is the one timer written from outside the runtime: one written after the batch's claim read
   * the timers (the claim then saw the journey still held) is not the batch's to delete, or the customer would stay
   * held for good.
   */
  claimedWakes?: number[];
};

/**
 * An input whose step threw (a bug, or a stored state that is not one): kept
 * in the step log as type `failed`, so the customer's timeline says what was
 * not handled and why. With a journey (and its version) when only that
 * journey's part failed (orchestrate's `failures`: the other journeys went
 * on); without, the customer's step as a whole failed.
 */
export type StepFailure = { workspaceId: string; customerId: string; at: string; input: string; error: string; journeyId?: string; version?: number | null };

/** journey_paths' key: md5 of the steps joined with ">", as the migration's backfill computes it in SQL. */
export function pathKey(path: string[]): string {
  return createHash("md5").update(path.join(">")).digest("hex");
}

/** Adds one to the row under `key`, made by `row` the first time the key is seen. */
function tally<R extends { count: number }>(rows: Map<string, R>, key: string, row: () => R): void {
  const found = rows.get(key);
  if (found) found.count += 1;
  else rows.set(key, { ...row(), count: 1 });
}

function counterMetric(e: Effect): string | null {
  switch (e.type) {
    case "enter":
    case "node":
    case "goal":
    case "suppressed":
    case "blocked":
    case "held":
      return e.type;
    case "message":
      return `message:${e.channel}`;
    case "exit":
      return `exit:${e.reason}`;
    case "decision":
      return `decision:${e.handle}`;
    case "refused":
      return `refused:${e.reason}`;
  }
}

/**
 * Writes what a batch of steps decided, inside the batch's transaction, in ONE
 * statement (data-modifying CTEs over JSON parameters; it was one statement
 * per table, up to fifteen round trips per batch): states; timers (each
 * customer's set becomes the state's current set: timers no longer in it go,
 * new ones come, unchanged ones are not touched); the outbox (unique key: a
 * replayed step cannot queue a message twice); the step log; profile traits
 * set by update_profile nodes; the analytics rows a journey's batches add to
 * (counters, durations, paths, entrants), under the writer's `shard` (see the
 * schema's `shard`: one worker's batches never wait on another's); and the
 * rows every worker shares (the bandit's counts, score models: read back
 * whole by every batch). Shared rows are written in key order so concurrent
 * batches lock them in the same order (no deadlocks).
 *
 * Each row is touched once: the timers deleted (keys not in the new set) and
 * the timers upserted (keys in it) are disjoint, and every shared row's key
 * appears once (tallied here). Profiles are locked in (workspace, customer)
 * order, byte by byte (`collate "C"`), as ingestion upserts them. A
 * customer's timers are reached through their key index, customer by
 * customer (LATERAL and EXISTS kept from becoming joins by `offset 0`): as a
 * join, the planner hashed the batch's customers against a scan of every
 * pending timer. A timer the batch keeps unchanged is
 * not upserted at all (an upsert that changes nothing still locks its row and
 * writes that lock to the WAL): most batches keep most of their timers.
 *
 * With `leaseMessagesMs`, the new outbox rows are written already claimed
 * (first attempt, hidden from other dispatchers for the lease, as
 * dispatchDueMessages' claim leaves them) and returned, so the caller sends
 * them as soon as the transaction commits, without claiming them again; if it
 * never does (it crashed), they come back when the lease ends. The lease runs
 * from this statement (clock_timestamp), not from the transaction's start
 * (now): a batch that waited on a model or a lock must not hand over messages
 * whose lease is already running out.
 */
export type LeasedMessage = { id: number; workspaceId: string; key: string; customerId: string; journeyId: string; nodeId: string; channel: string; payload: Record<string, unknown>; attempts: number };
export async function writeOutcomes(
  tx: Queryable,
  outcomes: CustomerOutcome[],
  opts: {
    scoreDeltas?: Map<string, ScoreModels>;
    leaseMessagesMs?: number;
    shard?: number;
    failures?: StepFailure[];
    /** Timers (by id) of customers whose steps could not run at all: moved to `until` (if later), so they do not come back in every batch. */
    postponeTimers?: { ids: number[]; until: Date };
  } = {},
): Promise<LeasedMessage[]> {
  const failures = opts.failures ?? [];
  const postpone = opts.postponeTimers && opts.postponeTimers.ids.length > 0 ? opts.postponeTimers : null;
  if (outcomes.length === 0 && failures.length === 0 && !postpone) return [];
  const shard = Math.max(0, Math.min(32_767, Math.trunc(opts.shard ?? 0)));
  // Each state with its format, so the next batch can take it as it is (readStoredState).
  const format = stateFormat();
  const states = outcomes.map((o) => ({ w: o.workspaceId, c: o.customerId, s: { ...o.state, format } }));
  // Each customer with the keys of the timers they keep: the delete compares a timer with its own customer's few keys
  // (a NOT EXISTS over all the batch's new timers made Postgres scan them once per timer: 100 ms for 500 customers).
  const owners = outcomes.map((o) => ({ w: o.workspaceId, c: o.customerId, keys: o.timers.map((t) => t.key), wakes: o.claimedWakes ?? [] }));
  const timerRows = outcomes.flatMap((o) =>
    o.timers.map((t) => ({ w: o.workspaceId, c: o.customerId, due: t.dueAt, key: t.key, payload: "score" in t ? { score: true } : { instanceId: t.instanceId, seq: t.seq } })),
  );
  const messages = outcomes.flatMap((o) =>
    o.effects
      .filter((e) => e.type === "message" && e.message)
      .map((e) => ({ w: o.workspaceId, key: e.key, c: o.customerId, j: e.journey, n: e.node ?? "", ch: e.message!.channel, p: { ...e.message!, data: {} } })),
  );
  const steps: { w: string; c: string; at: string; j: string; v: number | null; type: string; n: string | null; d: Record<string, unknown> }[] = outcomes.flatMap((o) =>
    o.effects.map((e) => ({
      w: o.workspaceId,
      c: o.customerId,
      at: e.t,
      j: e.journey,
      v: e.version ?? null,
      type: e.type,
      n: e.node ?? null,
      d: Object.fromEntries(Object.entries({ reason: e.reason, rule: e.rule, group: e.group, handle: e.handle, channel: e.channel, key: e.key, decision: e.decision, rewards: e.rewards }).filter(([, v]) => v !== undefined)),
    })),
  );
  for (const f of failures) steps.push({ w: f.workspaceId, c: f.customerId, at: f.at, j: f.journeyId ?? "", v: f.version ?? null, type: "failed", n: null, d: { reason: "step_failed", input: f.input, error: f.error } });
  const traits = outcomes.filter((o) => Object.keys(o.traitUpdates).length > 0).map((o) => ({ w: o.workspaceId, c: o.customerId, t: o.traitUpdates }));

  const counts = new Map<string, { w: string; j: string; v: number; n: string; d: string; g: string; m: string; count: number }>();
  // Timing and paths, for the dashboards: durations to the goal and to the exit in buckets, and each ended stay's path.
  const durations = new Map<string, { w: string; j: string; v: number; d: string; g: string; m: string; b: number; count: number }>();
  const paths = new Map<string, { w: string; j: string; v: number; d: string; g: string; k: string; path: string[]; count: number }>();
  const entries = new Map<string, { w: string; j: string; count: number }>();
  for (const o of outcomes) {
    for (const e of o.effects) {
      const base = { w: o.workspaceId, j: e.journey, v: e.version ?? 0, d: e.t.slice(0, 10), g: e.group ?? "treatment" };
      const metric = counterMetric(e);
      if (metric) {
        const nodeId = e.type === "node" || e.type === "message" || e.type === "decision" || e.type === "blocked" || e.type === "held" || e.type === "suppressed" ? (e.node ?? "") : "";
        tally(counts, [base.w, base.j, base.v, nodeId, base.d, base.g, metric].join("|"), () => ({ ...base, n: nodeId, m: metric, count: 0 }));
      }
      if ((e.type === "goal" || e.type === "exit") && e.sinceEntryMs !== undefined) {
        const row = { m: e.type === "goal" ? "convert" : "exit", b: durationBucket(e.sinceEntryMs) };
        tally(durations, JSON.stringify([base.w, base.j, base.v, base.d, base.g, row.m, row.b]), () => ({ ...base, ...row, count: 0 }));
      }
      // (Only a list of steps: an instance stored in a shape this version cannot handle may exit with something else,
      // and one customer's odd path must not fail the whole batch's write.)
      if (e.type === "exit" && Array.isArray(e.path) && e.path.every((x) => typeof x === "string")) {
        const path = e.path;
        const k = pathKey(path);
        tally(paths, JSON.stringify([base.w, base.j, base.v, base.d, base.g, k]), () => ({ ...base, k, path, count: 0 }));
      }
      if (e.type === "enter") tally(entries, `${o.workspaceId}|${e.journey}`, () => ({ w: o.workspaceId, j: e.journey, count: 0 }));
    }
  }
  // The bandit learns in the same transaction: a trial per decision, a success per credited goal.
  const stats = [...new Set(outcomes.map((o) => o.workspaceId))].flatMap((w) =>
    mergeStatsUpdates(outcomes.filter((o) => o.workspaceId === w).flatMap((o) => statsUpdates(o.effects))).map((u) => ({ w, j: u.journey, n: u.node, b: u.bucket, h: u.handle, trials: u.n, successes: u.s })),
  );
  const scoreRows = scoreModelIncrementRows(opts.scoreDeltas);

  const json = (rows: unknown[]) => sql`${JSON.stringify(rows)}::jsonb`;
  const lease = Math.max(0, Math.round(opts.leaseMessagesMs ?? 0));
  // Only the parts with rows: a part over an empty list still starts its scans (a hash join fetched a first row of
  // customers for no trait to set). Each combination is its own statement text, prepared once per connection; a few occur.
  const parts = [
    sql`
    states as (
      insert into customer_states (workspace_id, customer_id, state, updated_at)
      select w, c, s, now() from jsonb_to_recordset(${json(states)}) as x(w uuid, c text, s jsonb)
      on conflict (workspace_id, customer_id) do update set state = excluded.state, updated_at = now())`,
    sql`
    gone_timers as (
      delete from timers where id = any(array(
        select t.id from jsonb_to_recordset(${json(owners)}) as o(w uuid, c text, keys text[], wakes bigint[])
        cross join lateral (
          select t.id from timers t
          where t.workspace_id = o.w and t.customer_id = o.c and not (t.key = any(o.keys)) and (t.key not like 'wake:%' or t.id = any(o.wakes))
          offset 0) t)))`,
    postpone !== null && sql`
    postponed_timers as (
      update timers set due_at = greatest(due_at, ${postpone.until.toISOString()}::timestamptz)
      where id = any(${intArray(postpone.ids)}::bigint[]))`,
    timerRows.length > 0 && sql`
    kept_timers as (
      insert into timers (workspace_id, customer_id, due_at, key, payload)
      select w, c, due, key, payload from jsonb_to_recordset(${json(timerRows)}) as x(w uuid, c text, due timestamptz, key text, payload jsonb)
      where not exists (
        select 1 from timers t where t.workspace_id = x.w and t.customer_id = x.c and t.key = x.key and t.due_at = x.due and t.payload = x.payload offset 0)
      on conflict (workspace_id, customer_id, key) do update set due_at = excluded.due_at, payload = excluded.payload
        where timers.due_at is distinct from excluded.due_at or timers.payload is distinct from excluded.payload)`,
    messages.length > 0 && sql`
    queued as (
      insert into outbox (workspace_id, key, customer_id, journey_id, node_id, channel, payload, attempts, next_attempt_at)
      select w, key, c, j, n, ch, p, ${lease > 0 ? 1 : 0}::int, clock_timestamp() + ${lease}::int * interval '1 millisecond'
      from jsonb_to_recordset(${json(messages)}) as x(w uuid, key text, c text, j text, n text, ch text, p jsonb)
      on conflict (workspace_id, key) do nothing
      returning id, workspace_id as "workspaceId", key, customer_id as "customerId", journey_id as "journeyId", node_id as "nodeId", channel, payload, attempts)`,
    steps.length > 0 && sql`
    logged as (
      insert into step_log (workspace_id, customer_id, at, journey_id, version, type, node_id, detail)
      select w, c, at, j, v, type, n, d from jsonb_to_recordset(${json(steps)}) as x(w uuid, c text, at timestamptz, j text, v int, type text, n text, d jsonb))`,
    traits.length > 0 && sql`
    profile_locks as (
      select p.workspace_id, p.customer_id, x.t
      from (select * from jsonb_to_recordset(${json(traits)}) as x(w uuid, c text, t jsonb) order by w, c collate "C") x
      cross join lateral (
        select p.workspace_id, p.customer_id from customers p where p.workspace_id = x.w and p.customer_id = x.c offset 0 for update) p)`,
    traits.length > 0 && sql`
    profiles as (
      update customers p set traits = p.traits || l.t
      from profile_locks l
      where p.workspace_id = l.workspace_id and p.customer_id = l.customer_id)`,
    counts.size > 0 && sql`
    counters as (
      insert into journey_counters (workspace_id, journey_id, version, node_id, day, "group", metric, shard, count)
      select w, j, v, n, d, g, m, ${shard}::smallint, count from jsonb_to_recordset(${json([...counts.values()])}) as x(w uuid, j text, v int, n text, d date, g text, m text, count bigint)
      order by w, j, v, n, d, g, m
      on conflict (workspace_id, journey_id, version, node_id, day, "group", metric, shard) do update set count = journey_counters.count + excluded.count)`,
    durations.size > 0 && sql`
    timings as (
      insert into journey_durations (workspace_id, journey_id, version, day, "group", metric, bucket, shard, count)
      select w, j, v, d, g, m, b, ${shard}::smallint, count from jsonb_to_recordset(${json([...durations.values()])}) as x(w uuid, j text, v int, d date, g text, m text, b smallint, count bigint)
      order by w, j, v, d, g, m, b
      on conflict (workspace_id, journey_id, version, day, "group", metric, bucket, shard) do update set count = journey_durations.count + excluded.count)`,
    paths.size > 0 && sql`
    walked as (
      insert into journey_paths (workspace_id, journey_id, version, day, "group", path_key, path, shard, count)
      select w, j, v, d, g, k, array(select jsonb_array_elements_text(path)), ${shard}::smallint, count
      from jsonb_to_recordset(${json([...paths.values()])}) as x(w uuid, j text, v int, d date, g text, k text, path jsonb, count bigint)
      order by w, j, v, d, g, k
      on conflict (workspace_id, journey_id, version, day, "group", path_key, shard) do update set count = journey_paths.count + excluded.count)`,
    stats.length > 0 && sql`
    learned as (
      insert into decision_stats (workspace_id, journey_id, node_id, bucket, handle, trials, successes)
      select w, j, n, b, h, trials, successes from jsonb_to_recordset(${json(stats)}) as x(w uuid, j text, n text, b text, h text, trials bigint, successes bigint)
      order by w, j, n, b, h
      on conflict (workspace_id, journey_id, node_id, bucket, handle) do update set
        trials = decision_stats.trials + excluded.trials, successes = decision_stats.successes + excluded.successes, updated_at = now())`,
    entries.size > 0 && sql`
    entered as (
      insert into journey_entrants (workspace_id, journey_id, shard, count)
      select w, j, ${shard}::smallint, count from jsonb_to_recordset(${json([...entries.values()])}) as x(w uuid, j text, count bigint)
      order by w, j
      on conflict (workspace_id, journey_id, shard) do update set count = journey_entrants.count + excluded.count)`,
    scoreRows.length > 0 && sql`
    scored as (
      insert into score_models (workspace_id, score, feature, learned, sq_grad, examples, positives)
      select w, score, feature, learned, sq_grad, examples, positives
      from jsonb_to_recordset(${json(scoreRows)}) as x(w uuid, score text, feature text, learned double precision, sq_grad double precision, examples bigint, positives bigint)
      order by w, score, feature
      on conflict (workspace_id, score, feature) do update set
        learned = score_models.learned + excluded.learned, sq_grad = score_models.sq_grad + excluded.sq_grad,
        examples = score_models.examples + excluded.examples, positives = score_models.positives + excluded.positives, updated_at = now())`,
  ].filter((part): part is SQL => part !== false);
  const [row] = (await executePrepared(tx, sql`
    with
${sql.join(parts, sql`,\n`)}
    select ${messages.length > 0 && lease > 0 ? sql`(select coalesce(json_agg(q), '[]') from queued q)` : sql`'[]'::json`} as leased`)) as unknown as [{ leased: LeasedMessage[] }];
  return lease > 0 ? row!.leased.map((m) => ({ ...m, id: Number(m.id) })) : [];
}
