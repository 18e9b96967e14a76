CREATE TABLE "decision_stats" (
	"workspace_id" uuid NOT NULL,
	"journey_id" text NOT NULL,
	"node_id" text NOT NULL,
	"bucket" text NOT NULL,
	"handle" text NOT NULL,
	"trials" bigint DEFAULT 0 NOT NULL,
	"successes" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "decision_stats_workspace_id_journey_id_node_id_bucket_handle_pk" PRIMARY KEY("workspace_id","journey_id","node_id","bucket","handle")
);
--> statement-breakpoint
ALTER TABLE "decision_stats" ADD CONSTRAINT "decision_stats_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;