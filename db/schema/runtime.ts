import { sql } from "drizzle-orm";
import { bigint, bigserial, date, doublePrecision, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** Partitions divide customers among workers; a worker holds a partition by lease. */
export const partitionCount = 64;

/** The engine's per-customer state (instances, message history, counters): one jsonb row per customer. */
export const customerStates = pgTable(
  "customer_states",
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    customerId: text().notNull(),
    state: jsonb().$type<unknown>().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.customerId] })],
);

/** Pending timers (waits, timeouts, held messages). Fired timers are deleted in the step's transaction. */
export const timers = pgTable(
  "timers",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    customerId: text().notNull(),
    /** Same partition function as events (generated): the lease holder of a customer's events fires their timers. */
    partition: integer()
      .notNull()
      .generatedAlwaysAs(sql`(hashtext(customer_id) & 63)`),
    dueAt: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    /** Identifies the timer within the customer's state, so a replaced timer is not fired. */
    key: text().notNull(),
    payload: jsonb().$type<unknown>().notNull(),
  },
  (t) => [index("timers_due").on(t.partition, t.dueAt), uniqueIndex("timers_key").on(t.workspaceId, t.customerId, t.key)],
);

export const effectStatuses = ["pending", "sent", "retrying", "dead", "skipped"] as const;
export type EffectStatus = (typeof effectStatuses)[number];

/**
 * The outbox: messages to dispatch. `key` is deterministic per (instance,
 * node, transition) and unique, so a step replayed after a crash cannot send twice.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    key: text().notNull(),
    customerId: text().notNull(),
    journeyId: text().notNull(),
    nodeId: text().notNull(),
    channel: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    status: text({ enum: effectStatuses }).notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    lastResult: text(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true, precision: 3 }),
  },
  (t) => [
    uniqueIndex("outbox_key").on(t.workspaceId, t.key),
    index("outbox_due").on(t.nextAttemptAt).where(sql`${t.status} in ('pending', 'retrying')`),
    index("outbox_customer").on(t.workspaceId, t.customerId, t.createdAt),
    index("outbox_created").on(t.workspaceId, t.createdAt),
  ],
);

/** Every transition and outcome, for the customer timeline and for recounting analytics. */
export const stepLog = pgTable(
  "step_log",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    customerId: text().notNull(),
    at: timestamp({ withTimezone: true, precision: 3 }).notNull(),
    journeyId: text().notNull(),
    version: integer(),
    type: text().notNull(),
    nodeId: text(),
    detail: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index("step_log_customer").on(t.workspaceId, t.customerId, t.at), index("step_log_journey").on(t.workspaceId, t.journeyId, t.at)],
);

/**
 * Which runtime writer a shared counter row belongs to. The rows every batch
 * adds to (a journey's counters, timings, paths, entrants) are kept per writer
 * and summed when read: two workers adding to one row waited for each other's
 * commit on every batch (in bench:e2e's latency phase, most of a batch's write
 * was that wait). A worker writes under the lowest partition it holds, which
 * no other worker holds at the same time.
 */
const shard = () => smallint().notNull().default(0);

/** Counters per journey version, node, day and group, written in the step's transaction (per writer: `shard`). */
export const journeyCounters = pgTable(
  "journey_counters",
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    journeyId: text().notNull(),
    version: integer().notNull(),
    nodeId: text().notNull().default(""),
    day: date().notNull(),
    group: text().notNull().default("treatment"),
    metric: text().notNull(),
    shard: shard(),
    count: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.journeyId, t.version, t.nodeId, t.day, t.group, t.metric, t.shard] })],
);

/** How many customers entered each journey (any version, any group), per writer (`shard`); the journey list sums them. */
export const journeyEntrants = pgTable(
  "journey_entrants",
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    journeyId: text().notNull(),
    shard: shard(),
    count: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.journeyId, t.shard] })],
);

/** The key the timing tables share: journey version, UTC day and group (fresh builders per table). */
function journeyDayColumns() {
  return {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    journeyId: text().notNull(),
    version: integer().notNull(),
    day: date().notNull(),
    group: text().notNull().default("treatment"),
  };
}

/**
 * How long stays take, kept by the runtime in the step's transaction: per
 * journey version, day and group, a histogram of milliseconds from entry to
 * the goal (`convert`) or to the exit (`exit`) in log-scale buckets
 * (server/analytics/duration-buckets.ts). Dashboards read percentiles from it
 * instead of pairing rows of the step log.
 */
export const journeyDurations = pgTable(
  "journey_durations",
  {
    ...journeyDayColumns(),
    metric: text().notNull(),
    bucket: smallint().notNull(),
    shard: shard(),
    count: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.journeyId, t.version, t.day, t.group, t.metric, t.bucket, t.shard] })],
);

/**
 * Stays that ended, by the path of steps they went through (first 24 steps,
 * then "…"), per journey version, day and group. Keyed by the md5 of the steps
 * joined with ">" (node ids cannot hold ">"): a path of long ids would not fit
 * in an index entry.
 */
export const journeyPaths = pgTable(
  "journey_paths",
  {
    ...journeyDayColumns(),
    pathKey: text().notNull(),
    path: text().array().notNull(),
    shard: shard(),
    count: bigint({ mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.journeyId, t.version, t.day, t.group, t.pathKey, t.shard] })],
);

/** Per-workspace channel configuration (webhook URL and secret, SMTP, …). */
export const channelSettings = pgTable(
  "channel_settings",
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    channel: text().notNull(),
    config: jsonb().$type<Record<string, unknown>>().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.channel] })],
);

/**
 * Retention's marks on the step log (server/runtime/retention.ts): at each pass, the step log's highest id then.
 * Rows written before a mark older than the retention period are old: found by primary key, with no index on time to
 * keep up on this, the most written table (a BRIN index on `at` was tried: once pruned, its ranges cover new rows
 * too, and every pass read half the table).
 */
export const retentionMarks = pgTable("retention_marks", {
  takenAt: timestamp({ withTimezone: true }).primaryKey().defaultNow(),
  stepLogId: bigint({ mode: "number" }).notNull(),
});

/** Live runtime workers (heartbeats), so each can take a fair share of partitions. */
export const runtimeWorkers = pgTable("runtime_workers", {
  id: text().primaryKey(),
  heartbeatAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/**
 * What each decision node has learned: per context bucket (`*` = node-wide)
 * and option, decisions taken (`trials`) and those credited by the journey
 * goal (`successes`). Updated in the step's transaction; read as Beta posteriors.
 */
export const decisionStats = pgTable(
  "decision_stats",
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    journeyId: text().notNull(),
    nodeId: text().notNull(),
    bucket: text().notNull(),
    handle: text().notNull(),
    trials: bigint({ mode: "number" }).notNull().default(0),
    successes: bigint({ mode: "number" }).notNull().default(0),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.journeyId, t.nodeId, t.bucket, t.handle] })],
);

/**
 * Predictive score models, one row per workspace, score and feature: the weight
 * learned on top of the code's prior and the AdaGrad accumulator. Both only
 * ever get increments added (in the step's transaction), so concurrent workers
 * lose nothing (server/scores/model.ts).
 */
export const scoreModels = pgTable(
  "score_models",
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    score: text().notNull(),
    feature: text().notNull(),
    learned: doublePrecision().notNull().default(0),
    sqGrad: doublePrecision().notNull().default(0),
    examples: bigint({ mode: "number" }).notNull().default(0),
    positives: bigint({ mode: "number" }).notNull().default(0),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.score, t.feature] })],
);
