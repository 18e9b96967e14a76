-- No event is stored or claimed while the backlog moves to the queue: in-flight claims and inserts finish first, new ones wait (readers do not).
LOCK TABLE "events" IN EXCLUSIVE MODE;--> statement-breakpoint
CREATE TABLE "pending_events" (
	"id" bigint PRIMARY KEY NOT NULL,
	"partition" integer NOT NULL
);
--> statement-breakpoint
-- A queue: rows come and go all day. Vacuum it after every few thousand deletes, not after a fifth of its size (the default), so the claim never walks a long run of dead entries.
ALTER TABLE "pending_events" SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 5000);--> statement-breakpoint
-- The backlog at the time of the upgrade: every event not yet processed.
INSERT INTO "pending_events" ("id", "partition") SELECT "id", "partition" FROM "events" WHERE "processed_at" IS NULL;--> statement-breakpoint
DROP INDEX "events_unprocessed_by_id";--> statement-breakpoint
ALTER TABLE "events" DROP COLUMN "processed_at";
