CREATE TABLE "journey_durations" (
	"workspace_id" uuid NOT NULL,
	"journey_id" text NOT NULL,
	"version" integer NOT NULL,
	"day" date NOT NULL,
	"group" text DEFAULT 'treatment' NOT NULL,
	"metric" text NOT NULL,
	"bucket" smallint NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "journey_durations_workspace_id_journey_id_version_day_group_metric_bucket_pk" PRIMARY KEY("workspace_id","journey_id","version","day","group","metric","bucket")
);
--> statement-breakpoint
CREATE TABLE "journey_paths" (
	"workspace_id" uuid NOT NULL,
	"journey_id" text NOT NULL,
	"version" integer NOT NULL,
	"day" date NOT NULL,
	"group" text DEFAULT 'treatment' NOT NULL,
	"path_key" text NOT NULL,
	"path" text[] NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "journey_paths_workspace_id_journey_id_version_day_group_path_key_pk" PRIMARY KEY("workspace_id","journey_id","version","day","group","path_key")
);
--> statement-breakpoint
ALTER TABLE "journey_durations" ADD CONSTRAINT "journey_durations_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journey_paths" ADD CONSTRAINT "journey_paths_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Backfill from the step log for stays logged before the runtime kept these counters
-- (the same statements as server/analytics/timing-backfill.ts, over every workspace).
INSERT INTO "journey_durations" (workspace_id, journey_id, version, day, "group", metric, bucket, count)
SELECT workspace_id, journey_id, version, day, "group", metric, CASE WHEN ms < 1 THEN 0 ELSE 1 + floor(8 * ln(ms) / ln(2))::int END, count(*)
FROM (
  SELECT x.workspace_id, x.journey_id, coalesce(x.version, 0) AS version, (x.at AT TIME ZONE 'UTC')::date AS day, coalesce(x.detail->>'group', 'treatment') AS "group",
    CASE x.type WHEN 'exit' THEN 'exit' ELSE 'convert' END AS metric, extract(epoch FROM (x.at - e.at)) * 1000 AS ms
  FROM step_log x
  JOIN step_log e ON e.workspace_id = x.workspace_id AND e.customer_id = x.customer_id AND e.type = 'enter' AND e.detail->>'key' = left(x.detail->>'key', -5) || ':enter'
  WHERE x.type IN ('exit', 'goal')
) d
GROUP BY 1, 2, 3, 4, 5, 6, 7;
--> statement-breakpoint
INSERT INTO "journey_paths" (workspace_id, journey_id, version, day, "group", path_key, path, count)
SELECT workspace_id, journey_id, version, day, "group", md5(array_to_string(path, '>')), path, count(*)
FROM (
  SELECT x.workspace_id, x.journey_id, coalesce(x.version, 0) AS version, (x.at AT TIME ZONE 'UTC')::date AS day, coalesce(x.detail->>'group', 'treatment') AS "group",
    CASE WHEN cardinality(coalesce(n.steps, '{}')) > 24 THEN n.steps[1:24] || '…'::text ELSE coalesce(n.steps, '{}') END AS path
  FROM (SELECT * FROM step_log WHERE type = 'exit') x
  LEFT JOIN (
    SELECT workspace_id, regexp_replace(detail->>'key', ':[0-9]+:node$', '') AS inst, array_agg(node_id ORDER BY at, id) AS steps
    FROM step_log WHERE type = 'node' GROUP BY 1, 2
  ) n ON n.workspace_id = x.workspace_id AND n.inst = left(x.detail->>'key', -5)
) p
GROUP BY 1, 2, 3, 4, 5, 6, 7;
