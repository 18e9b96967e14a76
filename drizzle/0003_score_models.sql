CREATE TABLE "score_models" (
	"workspace_id" uuid NOT NULL,
	"score" text NOT NULL,
	"feature" text NOT NULL,
	"learned" double precision DEFAULT 0 NOT NULL,
	"sq_grad" double precision DEFAULT 0 NOT NULL,
	"examples" bigint DEFAULT 0 NOT NULL,
	"positives" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "score_models_workspace_id_score_feature_pk" PRIMARY KEY("workspace_id","score","feature")
);
--> statement-breakpoint
ALTER TABLE "score_models" ADD CONSTRAINT "score_models_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;