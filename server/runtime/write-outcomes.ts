import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customerStates, decisionStats, journeyCounters, journeyDurations, journeyPaths, outbox, stepLog, timers } from "@/db/schema";
import { durationBucket } from "@/server/analytics/duration-buckets";
import { mergeStatsUpdates, statsUpdates } from "@/server/decisions/learning";
import type { CustomerState, Effect, Timer } from "@/server/journey";
import type { ScoreModels } from "@/server/scores/model";
import { addScoreDeltas } from "@/server/scores/store";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type CustomerOutcome = {
  workspaceId: string;
  customerId: string;
  state: CustomerState;
  effects: Effect[];
  timers: Timer[];
  traitUpdates: Record<string, unknown>;
};

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

/** Rows in key order: concurrent batches then lock the shared rows they both touch in the same order (no deadlocks). */
function inKeyOrder<R>(rows: Map<string, R>): R[] {
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
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
 * Writes what a batch of steps decided, inside the batch's transaction:
 * states, timers (replaced by the state's current set), the outbox (unique
 * key: a replayed step cannot queue a message twice), the step log and the
 * analytics counters, and profile traits set by update_profile nodes.
 */
export async function writeOutcomes(tx: Tx, outcomes: CustomerOutcome[], scoreDeltas?: Map<string, ScoreModels>): Promise<void> {
  if (outcomes.length === 0) return;
  await tx
    .insert(customerStates)
    .values(outcomes.map((o) => ({ workspaceId: o.workspaceId, customerId: o.customerId, state: o.state, updatedAt: new Date() })))
    .onConflictDoUpdate({ target: [customerStates.workspaceId, customerStates.customerId], set: { state: sql`excluded.state`, updatedAt: sql`now()` } });

  // Each customer's timers are replaced by the state's current set: one delete for the batch (a worker holds these customers' partitions).
  await tx.execute(sql`
    delete from timers where (workspace_id, customer_id) in (${sql.join(
      outcomes.map((o) => sql`(${o.workspaceId}::uuid, ${o.customerId}::text)`),
      sql`, `,
    )})`);
  const timerRows = outcomes.flatMap((o) =>
    o.timers.map((t) => ({ workspaceId: o.workspaceId, customerId: o.customerId, dueAt: new Date(t.dueAt), key: t.key, payload: "score" in t ? { score: true } : { instanceId: t.instanceId, seq: t.seq } })),
  );
  if (timerRows.length) await tx.insert(timers).values(timerRows).onConflictDoNothing();

  const messages = outcomes.flatMap((o) =>
    o.effects
      .filter((e) => e.type === "message" && e.message)
      .map((e) => ({ workspaceId: o.workspaceId, key: e.key, customerId: o.customerId, journeyId: e.journey, nodeId: e.node ?? "", channel: e.message!.channel, payload: { ...e.message!, data: {} } })),
  );
  if (messages.length) await tx.insert(outbox).values(messages).onConflictDoNothing({ target: [outbox.workspaceId, outbox.key] });

  const steps = outcomes.flatMap((o) =>
    o.effects.map((e) => ({
      workspaceId: o.workspaceId,
      customerId: o.customerId,
      at: new Date(e.t),
      journeyId: e.journey,
      version: e.version,
      type: e.type,
      nodeId: e.node ?? null,
      detail: Object.fromEntries(Object.entries({ reason: e.reason, rule: e.rule, group: e.group, handle: e.handle, channel: e.channel, key: e.key, decision: e.decision, rewards: e.rewards }).filter(([, v]) => v !== undefined)),
    })),
  );
  for (let i = 0; i < steps.length; i += 2000) await tx.insert(stepLog).values(steps.slice(i, i + 2000));

  const counts = new Map<string, { workspaceId: string; journeyId: string; version: number; nodeId: string; day: string; group: string; metric: string; count: number }>();
  // Timing and paths, for the dashboards: durations to the goal and to the exit in buckets, and each ended stay's path.
  const durations = new Map<string, { workspaceId: string; journeyId: string; version: number; day: string; group: string; metric: string; bucket: number; count: number }>();
  const paths = new Map<string, { workspaceId: string; journeyId: string; version: number; day: string; group: string; pathKey: string; path: string[]; count: number }>();
  for (const o of outcomes) {
    for (const e of o.effects) {
      const base = { workspaceId: o.workspaceId, journeyId: e.journey, version: e.version ?? 0, day: e.t.slice(0, 10), group: e.group ?? "treatment" };
      const metric = counterMetric(e);
      if (metric) {
        const nodeId = e.type === "node" || e.type === "message" || e.type === "decision" || e.type === "blocked" || e.type === "held" || e.type === "suppressed" ? (e.node ?? "") : "";
        tally(counts, [base.workspaceId, base.journeyId, base.version, nodeId, base.day, base.group, metric].join("|"), () => ({ ...base, nodeId, metric, count: 0 }));
      }
      if ((e.type === "goal" || e.type === "exit") && e.sinceEntryMs !== undefined) {
        const row = { metric: e.type === "goal" ? "convert" : "exit", bucket: durationBucket(e.sinceEntryMs) };
        tally(durations, JSON.stringify([base.workspaceId, base.journeyId, base.version, base.day, base.group, row.metric, row.bucket]), () => ({ ...base, ...row, count: 0 }));
      }
      if (e.type === "exit" && e.path) {
        const path = e.path;
        const key = pathKey(path);
        tally(paths, JSON.stringify([base.workspaceId, base.journeyId, base.version, base.day, base.group, key]), () => ({ ...base, pathKey: key, path, count: 0 }));
      }
    }
  }
  if (counts.size) {
    await tx
      .insert(journeyCounters)
      .values(inKeyOrder(counts))
      .onConflictDoUpdate({
        target: [journeyCounters.workspaceId, journeyCounters.journeyId, journeyCounters.version, journeyCounters.nodeId, journeyCounters.day, journeyCounters.group, journeyCounters.metric],
        set: { count: sql`${journeyCounters.count} + excluded.count` },
      });
  }
  if (durations.size) {
    await tx
      .insert(journeyDurations)
      .values(inKeyOrder(durations))
      .onConflictDoUpdate({
        target: [journeyDurations.workspaceId, journeyDurations.journeyId, journeyDurations.version, journeyDurations.day, journeyDurations.group, journeyDurations.metric, journeyDurations.bucket],
        set: { count: sql`${journeyDurations.count} + excluded.count` },
      });
  }
  if (paths.size) {
    await tx
      .insert(journeyPaths)
      .values(inKeyOrder(paths))
      .onConflictDoUpdate({
        target: [journeyPaths.workspaceId, journeyPaths.journeyId, journeyPaths.version, journeyPaths.day, journeyPaths.group, journeyPaths.pathKey],
        set: { count: sql`${journeyPaths.count} + excluded.count` },
      });
  }

  // The bandit learns in the same transaction: a trial per decision, a success per credited goal (key order: no deadlocks).
  for (const ws of [...new Set(outcomes.map((o) => o.workspaceId))].sort()) {
    const updates = mergeStatsUpdates(outcomes.filter((o) => o.workspaceId === ws).flatMap((o) => statsUpdates(o.effects)));
    if (updates.length === 0) continue;
    await tx
      .insert(decisionStats)
      .values(updates.map((u) => ({ workspaceId: ws, journeyId: u.journey, nodeId: u.node, bucket: u.bucket, handle: u.handle, trials: u.n, successes: u.s })))
      .onConflictDoUpdate({
        target: [decisionStats.workspaceId, decisionStats.journeyId, decisionStats.nodeId, decisionStats.bucket, decisionStats.handle],
        set: { trials: sql`${decisionStats.trials} + excluded.trials`, successes: sql`${decisionStats.successes} + excluded.successes`, updatedAt: sql`now()` },
      });
  }

  const entries = new Map<string, { workspaceId: string; journey: string; count: number }>();
  for (const o of outcomes) {
    if (Object.keys(o.traitUpdates).length > 0) {
      await tx.execute(sql`update customers set traits = traits || ${JSON.stringify(o.traitUpdates)}::jsonb where workspace_id = ${o.workspaceId} and customer_id = ${o.customerId}`);
    }
    for (const e of o.effects) if (e.type === "enter") tally(entries, `${o.workspaceId}|${e.journey}`, () => ({ workspaceId: o.workspaceId, journey: e.journey, count: 0 }));
  }
  // One update per journey for the batch (was one per customer), in key order: journeys' rows are shared by every worker.
  for (const { workspaceId, journey, count } of inKeyOrder(entries)) {
    await tx.execute(sql`update journeys set entrants = entrants + ${count} where workspace_id = ${workspaceId} and slug = ${journey}`);
  }
  // Last, so the shared model rows stay locked only until the commit right after.
  if (scoreDeltas) await addScoreDeltas(tx, scoreDeltas);
}
