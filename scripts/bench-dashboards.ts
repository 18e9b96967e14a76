import { parseArgs } from "node:util";
import { and, eq } from "drizzle-orm";
import { createDb } from "@/db/client";
import { journeys, workspaces } from "@/db/schema";
import { getGlobalControlReport } from "@/server/analytics/global-control";
import { getJourneyReport } from "@/server/analytics/journey-report";
import { getJourneyTiming } from "@/server/analytics/journey-timing";
import { getOpsReport } from "@/server/analytics/ops-report";
import { ensureDatabase } from "./db-env";

/**
 * `npm run bench:dashboards [-- --runs 30]`: every dashboard query against the
 * workspace `npm run seed:load` filled, timed one after another (after a warm-up
 * run each), with p50 / p95 / max per query. Goal: p95 ≤ 50 ms.
 */
const { values } = parseArgs({ options: { runs: { type: "string", default: "30" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 3 || runs > 1000) {
  console.error("--runs must be an integer between 3 and 1000");
  process.exit(2);
}
const { url, embedded } = await ensureDatabase("dev");
const db = createDb(url, { max: 4 });
const workspace = await db.query.workspaces.findFirst({ where: eq(workspaces.slug, "load") });
if (!workspace) {
  console.error('No workspace "load": run `npm run seed:load` first.');
  process.exit(1);
}
const list = await db.query.journeys.findMany({ where: and(eq(journeys.workspaceId, workspace.id)), columns: { id: true, slug: true } });
const first = list.find((j) => j.slug === "load-1") ?? list[0];
if (!first) {
  console.error("The load workspace has no journeys: run `npm run seed:load` again.");
  process.exit(1);
}
const today = new Date();
const monthAgo = new Date(today.getTime() - 30 * 24 * 3600_000).toISOString().slice(0, 10);
const queries: [string, () => Promise<unknown>][] = [
  ["journey report (all time)", () => getJourneyReport(db, workspace.id, { journeyId: first.id })],
  ["journey report (last 30 days)", () => getJourneyReport(db, workspace.id, { journeyId: first.id, from: monthAgo })],
  ["journey timing + paths (last 90 days)", () => getJourneyTiming(db, workspace.id, { journeyId: first.id })],
  ["journey timing + paths (last 30 days)", () => getJourneyTiming(db, workspace.id, { journeyId: first.id, from: monthAgo })],
  ["global control (all journeys)", () => getGlobalControlReport(db, workspace.id, {})],
  ["ops dashboard", () => getOpsReport(db, workspace.id)],
];
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
console.log(`bench:dashboards: ${runs} runs per query, workspace "load" (${list.length} journeys)`);
console.log("query                                      p50 ms   p95 ms   max ms");
let missed = 0;
for (const [name, run] of queries) {
  await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  const p95 = quantile(times, 0.95);
  if (p95 > 50) missed++;
  console.log(`${name.padEnd(40)} ${quantile(times, 0.5).toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)} ${Math.max(...times).toFixed(1).padStart(8)}${p95 > 50 ? "  over 50 ms" : ""}`);
}
console.log(missed ? `${missed} of ${queries.length} queries over the 50 ms p95 goal` : "every query within the 50 ms p95 goal");
await db.$end();
await embedded?.stop();
