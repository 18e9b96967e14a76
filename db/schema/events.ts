import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

export const eventTypes = ["track", "identify"] as const;
export type EventType = (typeof eventTypes)[number];

/**
 * Every accepted event, appended once (unique messageId per workspace) and
 * answered 200 only after the commit. Rows are never updated: what the runtime
 * has still to process is in pending_events.
 */
export const events = pgTable(
  "events",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** The customer the event belongs to: userId, else `anon:<anonymousId>`. */
    customerId: text().notNull(),
    messageId: text().notNull(),
    type: text({ enum: eventTypes }).notNull(),
    /** Event name for track; "identify" for identify. */
    name: text().notNull(),
    userId: text(),
    anonymousId: text(),
    properties: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    traits: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    context: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    timestamp: timestamp({ withTimezone: true }).notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    source: text().notNull().default("api"),
    /** Which worker partition owns this customer (see runtime.partitionCount = 64). */
    partition: integer()
      .notNull()
      .generatedAlwaysAs(sql`(hashtext(customer_id) & 63)`),
  },
  (t) => [
    uniqueIndex("events_message_key").on(t.workspaceId, t.messageId),
    index("events_received").on(t.workspaceId, t.receivedAt),
    index("events_customer_time").on(t.workspaceId, t.customerId, t.timestamp),
  ],
);

/**
 * The runtime's queue: one row per accepted event not yet processed, written
 * in the statement that stores the event and deleted in the transaction that
 * processes it (claimBatch). The runtime claims the oldest rows of its
 * partitions in id order (the primary key; the table holds only the backlog,
 * so the claim reads its first rows and filters by partition).
 * Decision: a table of its own rather than `events.processed_at`. Marking an
 * event processed was an update that no row could take in place (the
 * partial claim index named the column), so each one wrote a new version of
 * the event and an entry in each of its five indexes, and left dead rows
 * for vacuum; a delete here touches one small row and one index.
 * No foreign key (a check per event on the hot path): a row whose event has
 * gone (its workspace deleted) is deleted by the next claim that meets it.
 */
export const pendingEvents = pgTable("pending_events", {
  id: bigint({ mode: "number" }).primaryKey(),
  partition: integer().notNull(),
});

/** A customer profile: traits, time zone, consent; the journey state lives with the runtime. */
export const customers = pgTable(
  "customers",
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    customerId: text().notNull(),
    traits: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    timezone: text(),
    unsubscribed: boolean().notNull().default(false),
    firstSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.customerId] })],
);

/** Anonymous ids merged into a known user by `identify` with both ids. */
export const customerAliases = pgTable(
  "customer_aliases",
  {
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    anonymousId: text().notNull(),
    customerId: text().notNull(),
    mergedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.anonymousId] })],
);

/** Named webhook sources whose requests are signed (X-Waymark-Signature). */
export const eventSources = pgTable(
  "event_sources",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    slug: text().notNull(),
    name: text().notNull(),
    signingSecret: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp({ withTimezone: true }),
  },
  // The slug is in the public URL (/api/v1/webhooks/{slug}) and names the workspace too, so it is unique globally.
  (t) => [uniqueIndex().on(t.slug), index().on(t.workspaceId)],
);
