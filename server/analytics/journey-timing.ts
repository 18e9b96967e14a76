import { and, eq } from "drizzle-orm";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { journeys } from "@/db/schema";
import { histogramQuantile } from "./duration-buckets";
import type { JourneyReportInput } from "./journey-report";

export type Spread = { n: number; p50Ms: number | null; p90Ms: number | null };
export type JourneyTiming = { timeToConvert: Spread; velocity: Spread; paths: { path: string[]; customers: number; share: number }[]; instances: number };

/** Without a date range, timing and paths cover the last 90 days. */
export const timingDefaultDays = 90;

/**
 * How long things take in a journey and the routes customers take, from the
 * counters the runtime keeps in the step's transaction (journey_durations,
 * journey_paths), never the step log: time to convert (entry → goal) and
 * velocity (entry → exit) as median and 90th percentile read from log-scale
 * histograms (within ±4.5 %), and the ten most common paths of the stays
 * that ended. Treatment only: holdouts never walk the journey. Days are UTC
 * days, as for the other counters.
 */
export async function getJourneyTiming(db: Db, workspaceId: string, input: JourneyReportInput): Promise<JourneyTiming | null> {
  const journey = await db.query.journeys.findFirst({ where: and(eq(journeys.workspaceId, workspaceId), eq(journeys.id, input.journeyId)), columns: { slug: true } });
  if (!journey) return null;
  const from = input.from ? sql`${input.from}::date` : sql`(now() at time zone 'UTC')::date - ${timingDefaultDays}::int`;
  const to = input.to ? sql`and day <= ${input.to}::date` : sql``;
  const version = input.version ? sql`and version = ${input.version}` : sql``;
  const scope = sql`workspace_id = ${workspaceId} and journey_id = ${journey.slug} and "group" = 'treatment' and day >= ${from} ${to} ${version}`;
  const [histograms, paths] = await Promise.all([
    db.execute(sql`select metric, bucket, sum(count)::float8 as n from journey_durations where ${scope} group by 1, 2`),
    db.execute(sql`select path, sum(count)::float8 as customers, sum(sum(count)) over ()::float8 as total from journey_paths where ${scope} group by path_key, path order by customers desc, path limit 10`),
  ]);
  const spread = (metric: string): Spread => {
    const counts = new Map<number, number>();
    for (const r of histograms as unknown as { metric: string; bucket: number; n: number }[]) if (r.metric === metric) counts.set(Number(r.bucket), Number(r.n));
    const n = [...counts.values()].reduce((a, b) => a + b, 0);
    const at = (q: number) => {
      const v = histogramQuantile(counts, q);
      return v === null ? null : Math.round(v);
    };
    return { n, p50Ms: at(0.5), p90Ms: at(0.9) };
  };
  const top = paths as unknown as { path: string[]; customers: number; total: number }[];
  const instances = Number(top[0]?.total ?? 0);
  return {
    timeToConvert: spread("convert"),
    velocity: spread("exit"),
    paths: top.map((p) => ({ path: p.path, customers: Number(p.customers), share: instances ? Number(p.customers) / instances : 0 })),
    instances,
  };
}
