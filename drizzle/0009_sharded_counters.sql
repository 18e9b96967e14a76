-- Analytics rows per runtime writer (see db/schema/runtime.ts, `shard`): two workers no longer wait for each other's
-- commit to add to one row. Existing rows become shard 0; readers sum over shards.
ALTER TABLE "journey_counters" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "journey_durations" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "journey_paths" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "journey_counters" DROP CONSTRAINT "journey_counters_workspace_id_journey_id_version_node_id_day_group_metric_pk";--> statement-breakpoint
ALTER TABLE "journey_durations" DROP CONSTRAINT "journey_durations_workspace_id_journey_id_version_day_group_metric_bucket_pk";--> statement-breakpoint
ALTER TABLE "journey_paths" DROP CONSTRAINT "journey_paths_workspace_id_journey_id_version_day_group_path_key_pk";--> statement-breakpoint
ALTER TABLE "journey_counters" ADD CONSTRAINT "journey_counters_workspace_id_journey_id_version_node_id_day_group_metric_shard_pk" PRIMARY KEY("workspace_id","journey_id","version","node_id","day","group","metric","shard");--> statement-breakpoint
ALTER TABLE "journey_durations" ADD CONSTRAINT "journey_durations_workspace_id_journey_id_version_day_group_metric_bucket_shard_pk" PRIMARY KEY("workspace_id","journey_id","version","day","group","metric","bucket","shard");--> statement-breakpoint
ALTER TABLE "journey_paths" ADD CONSTRAINT "journey_paths_workspace_id_journey_id_version_day_group_path_key_shard_pk" PRIMARY KEY("workspace_id","journey_id","version","day","group","path_key","shard");--> statement-breakpoint
CREATE TABLE "journey_entrants" (
	"workspace_id" uuid NOT NULL,
	"journey_id" text NOT NULL,
	"shard" smallint DEFAULT 0 NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "journey_entrants_workspace_id_journey_id_shard_pk" PRIMARY KEY("workspace_id","journey_id","shard")
);
--> statement-breakpoint
ALTER TABLE "journey_entrants" ADD CONSTRAINT "journey_entrants_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Each journey's entrants so far, as its shard 0.
INSERT INTO "journey_entrants" ("workspace_id", "journey_id", "shard", "count")
SELECT "workspace_id", "slug", 0, "entrants" FROM "journeys" WHERE "entrants" > 0;--> statement-breakpoint
ALTER TABLE "journeys" DROP COLUMN "entrants";
