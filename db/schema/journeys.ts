import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users, workspaces } from "./workspaces";

export const journeyStatuses = ["draft", "live", "paused", "archived"] as const;
export type JourneyStatus = (typeof journeyStatuses)[number];

/** A journey: its draft document and lifecycle. Published versions live in journey_versions. */
export const journeys = pgTable(
  "journeys",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /** The document's `id`: a stable slug, unique in a workspace. */
    slug: text().notNull(),
    name: text().notNull(),
    description: text().notNull().default(""),
    status: text({ enum: journeyStatuses }).notNull().default("draft"),
    /** While paused: `finish` lets customers in the journey go on to its end; `hold` keeps them where they are until resumed. */
    pauseMode: text({ enum: ["finish", "hold"] }),
    /** The working copy (spec/journey-format.md), stored as the canvas saved it. */
    draft: jsonb().$type<Record<string, unknown>>().notNull(),
    /** Bumped on every save; a save must name the revision it started from. */
    draftRevision: integer().notNull().default(1),
    liveVersion: integer(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex().on(t.workspaceId, t.slug), index().on(t.workspaceId, t.updatedAt)],
);

/** An immutable published version: the document and its compiled program. */
export const journeyVersions = pgTable(
  "journey_versions",
  {
    id: uuid().primaryKey().defaultRandom(),
    workspaceId: uuid()
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    journeyId: uuid()
      .notNull()
      .references(() => journeys.id, { onDelete: "cascade" }),
    version: integer().notNull(),
    document: jsonb().$type<Record<string, unknown>>().notNull(),
    publishedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    publishedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex().on(t.journeyId, t.version)],
);
