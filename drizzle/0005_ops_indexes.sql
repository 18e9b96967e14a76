CREATE INDEX "events_received" ON "events" USING btree ("workspace_id","received_at");--> statement-breakpoint
CREATE INDEX "outbox_created" ON "outbox" USING btree ("workspace_id","created_at");