import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";

/**
 * Rebuilds journey_durations and journey_paths from the step log, the way the
 * runtime would have kept them: for every stay, the time from its entry to
 * its goal and to its exit (bucketed as in duration-buckets.ts) and, at its
 * exit, the steps it went through (first 24, then "…"). Set-based, for
 * `npm run seed:load`. drizzle/0006_timing_counters.sql runs the same
 * statements over every workspace, once, for stays logged before the runtime
 * kept these counters.
 *
 * Step-log keys: `${instance}:enter`, `:goal`, `:exit`, `${instance}:${seq}:node`.
 */
export async function backfillTimingCounts(db: Db, workspaceId: string): Promise<void> {
  const scope: SQL = sql`workspace_id = ${workspaceId}`;
  await db.execute(sql`
    insert into journey_durations (workspace_id, journey_id, version, day, "group", metric, bucket, count)
    select workspace_id, journey_id, version, day, "group", metric, case when ms < 1 then 0 else 1 + floor(8 * ln(ms) / ln(2))::int end, count(*)
    from (
      select x.workspace_id, x.journey_id, coalesce(x.version, 0) as version, (x.at at time zone 'UTC')::date as day, coalesce(x.detail->>'group', 'treatment') as "group",
        case x.type when 'exit' then 'exit' else 'convert' end as metric, extract(epoch from (x.at - e.at)) * 1000 as ms
      from step_log x
      join step_log e on e.workspace_id = x.workspace_id and e.customer_id = x.customer_id and e.type = 'enter' and e.detail->>'key' = left(x.detail->>'key', -5) || ':enter'
      where x.workspace_id = ${workspaceId} and x.type in ('exit', 'goal')
    ) d
    group by 1, 2, 3, 4, 5, 6, 7
    on conflict (workspace_id, journey_id, version, day, "group", metric, bucket, shard) do update set count = journey_durations.count + excluded.count`);
  await db.execute(sql`
    insert into journey_paths (workspace_id, journey_id, version, day, "group", path_key, path, count)
    select workspace_id, journey_id, version, day, "group", md5(array_to_string(path, '>')), path, count(*)
    from (
      select x.workspace_id, x.journey_id, coalesce(x.version, 0) as version, (x.at at time zone 'UTC')::date as day, coalesce(x.detail->>'group', 'treatment') as "group",
        case when cardinality(coalesce(n.steps, '{}')) > 24 then n.steps[1:24] || '…'::text else coalesce(n.steps, '{}') end as path
      from (select * from step_log where ${scope} and type = 'exit') x
      left join (
        select workspace_id, regexp_replace(detail->>'key', ':[0-9]+:node$', '') as inst, array_agg(node_id order by at, id) as steps
        from step_log where ${scope} and type = 'node' group by 1, 2
      ) n on n.workspace_id = x.workspace_id and n.inst = left(x.detail->>'key', -5)
    ) p
    group by 1, 2, 3, 4, 5, 6, 7
    on conflict (workspace_id, journey_id, version, day, "group", path_key, shard) do update set count = journey_paths.count + excluded.count`);
}
