import { and, eq } from "drizzle-orm";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { journeys } from "@/db/schema";
import type { JourneyReportInput } from "./journey-report";

export type Spread = { n: number; p50Ms: number | null; p90Ms: number | null };
export type JourneyTiming = { timeToConvert: Spread; velocity: Spread; paths: { path: string[]; customers: number; share: number }[]; instances: number };

/** Without a date range, timing and paths look at the last 90 days (they read the step log, which grows without end). */
export const timingDefaultDays = 90;
/** The most common paths are counted over at most this many journey stays (the newest). */
export const pathSample = 50_000;

/**
 * How long things take in a journey, from the step log, bounded by the date
 * range (default: the last 90 days) and the step_log_journey index: time to
 * convert (entry → goal, treatment only), velocity (entry → exit), and the
 * most common paths (the sequence of steps each stay went through).
 */
export async function getJourneyTiming(db: Db, workspaceId: string, input: JourneyReportInput): Promise<JourneyTiming | null> {
  const journey = await db.query.journeys.findFirst({ where: and(eq(journeys.workspaceId, workspaceId), eq(journeys.id, input.journeyId)), columns: { slug: true } });
  if (!journey) return null;
  const from = input.from ? sql`${input.from}::date` : sql`now() - make_interval(days => ${timingDefaultDays})`;
  const to = input.to ? sql`(${input.to}::date + 1)` : sql`'infinity'::timestamptz`;
  const version = input.version ? sql`and version = ${input.version}` : sql``;
  const scope = sql`workspace_id = ${workspaceId} and journey_id = ${journey.slug} and at >= ${from} and at < ${to} ${version}`;
  const spread = (rows: unknown): Spread => {
    const r = (rows as { n: number; p50: string | null; p90: string | null }[])[0]!;
    return { n: Number(r.n), p50Ms: r.p50 === null ? null : Math.round(Number(r.p50)), p90Ms: r.p90 === null ? null : Math.round(Number(r.p90)) };
  };
  // Keys are `${instance}:enter`, `${instance}:goal`, `${instance}:exit`, `${instance}:${seq}:node`.
  const [convert, velocity, paths] = await Promise.all([
    db.execute(sql`
      with e as (select left(detail->>'key', -6) as inst, at from step_log where ${scope} and type = 'enter' and detail->>'group' = 'treatment'),
           g as (select left(detail->>'key', -5) as inst, min(at) as at from step_log where ${scope} and type = 'goal' group by 1),
           d as (select extract(epoch from (g.at - e.at)) * 1000 as ms from e join g using (inst) where g.at >= e.at)
      select count(*)::int as n, percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.9) within group (order by ms) as p90 from d`),
    db.execute(sql`
      with e as (select left(detail->>'key', -6) as inst, at from step_log where ${scope} and type = 'enter' and detail->>'group' = 'treatment'),
           x as (select left(detail->>'key', -5) as inst, at from step_log where ${scope} and type = 'exit'),
           d as (select extract(epoch from (x.at - e.at)) * 1000 as ms from e join x using (inst) where x.at >= e.at)
      select count(*)::int as n, percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.9) within group (order by ms) as p90 from d`),
    db.execute(sql`
      with stays as (
        select regexp_replace(detail->>'key', ':[0-9]+:node$', '') as inst, string_agg(node_id, '>' order by at, id) as path
        from (select * from step_log where ${scope} and type = 'node' order by at desc limit ${pathSample * 8}) recent
        group by 1 limit ${pathSample})
      select path, count(*)::int as customers, sum(count(*)) over ()::int as total from stays group by path order by customers desc, path limit 10`),
  ]);
  const top = paths as unknown as { path: string; customers: number; total: number }[];
  const instances = top[0]?.total ?? 0;
  return {
    timeToConvert: spread(convert),
    velocity: spread(velocity),
    paths: top.map((p) => ({ path: p.path.split(">"), customers: p.customers, share: instances ? p.customers / instances : 0 })),
    instances,
  };
}
