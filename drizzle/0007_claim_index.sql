CREATE INDEX "events_unprocessed_by_id" ON "events" USING btree ("id") WHERE "events"."processed_at" is null;--> statement-breakpoint
DROP INDEX "events_unprocessed";
