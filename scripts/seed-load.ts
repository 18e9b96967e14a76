import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { createDb } from "@/db/client";
import { journeyDocumentSchema } from "@/server/journey";
import { createJourneyIfMissing } from "@/server/journeys/upsert-journey-draft";
import { publishJourney } from "@/server/journeys/publish-journey";
import { ensureWorkspace } from "@/server/workspaces/ensure-workspace";
import { saveWorkspaceSettings } from "@/server/workspaces/workspace-settings";
import { backfillTimingCounts } from "@/server/analytics/timing-backfill";
import { ensureDatabase, redact } from "./db-env";

/**
 * `npm run seed:load -- --events 10000000`: fills a workspace `load` with
 * realistic volume for measuring the dashboards (`npm run bench:dashboards`):
 * events over 90 days from a long-tailed population of customers, journey
 * stays in the step log (entry, steps, messages, goals, exits; 10% holdout,
 * 5% global control), the counters the runtime would have kept for them
 * (funnel, timing, paths),
 * the outbox (mostly sent, some retrying, a few dead) and pending timers.
 * Set-based SQL (generate_series), in chunks, so 10 million events take
 * minutes, not hours. Uses DATABASE_URL, else the embedded dev database.
 * Re-running replaces the workspace's rows.
 */
const { values } = parseArgs({ options: { events: { type: "string", default: "1000000" }, days: { type: "string", default: "90" } } });
const events = Number(values.events);
const days = Number(values.days);
if (!Number.isInteger(events) || events < 1000 || events > 100_000_000) {
  console.error("--events must be an integer between 1,000 and 100,000,000");
  process.exit(2);
}
if (!Number.isInteger(days) || days < 1 || days > 365) {
  console.error("--days must be an integer between 1 and 365");
  process.exit(2);
}
const { url, embedded } = await ensureDatabase("dev");
const db = createDb(url, { max: 2 });
const started = performance.now();
const log = (line: string) => console.log(`[seed:load ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
log(`filling workspace "load" in ${redact(url)}: ${events.toLocaleString("en")} events over ${days} days`);

const workspace = await ensureWorkspace(db, "load", "Load test");
await saveWorkspaceSettings(db, workspace.id, { globalHoldoutPercent: 5 });
for (const table of ["events", "step_log", "journey_counters", "journey_durations", "journey_paths", "journey_entrants", "outbox", "timers", "customers"]) {
  await db.execute(sql`delete from ${sql.identifier(table)} where workspace_id = ${workspace.id}`);
}
const journeyCount = 5;
for (let j = 1; j <= journeyCount; j++) {
  const doc = journeyDocumentSchema.parse({
    format: "waymark.journey/v1",
    id: `load-${j}`,
    name: `Load journey ${j}`,
    settings: { goal: { event: "order_completed", within: "P7D" }, holdoutPercent: 10, timezone: "UTC" },
    nodes: [
      { id: "t", kind: "trigger", config: { event: "cart_abandoned" } },
      { id: "w", kind: "wait", config: { for: "PT1H" } },
      { id: "b", kind: "branch", config: { cases: [{ handle: "vip", when: { path: "event.properties.total", op: "gte", value: 150 } }] } },
      { id: "m", kind: "message", config: { channel: "email", subject: "Your cart", template: "Hi" } },
      { id: "v", kind: "message", config: { channel: "webhook", template: "VIP" } },
    ],
    edges: [{ from: "t", to: "w" }, { from: "w", to: "b" }, { from: "b", handle: "else", to: "m" }, { from: "b", handle: "vip", to: "v" }],
  });
  const { id } = await createJourneyIfMissing(db, { workspaceId: workspace.id, createdBy: null, document: doc });
  const published = await publishJourney(db, { workspaceId: workspace.id, journeyId: id, userId: null });
  if (!published.ok && !/no changes/i.test(published.message)) log(`journey load-${j}: ${published.message}`);
}

const customers = Math.max(100, Math.round(events / 20));
const span = `${days} days`;
const chunk = 500_000;
// Events: customers drawn with a long tail (a few very active), times spread over the period.
for (let offset = 0; offset < events; offset += chunk) {
  const n = Math.min(chunk, events - offset);
  await db.execute(sql`
    insert into events (workspace_id, customer_id, message_id, type, name, properties, timestamp, received_at, source)
    select ${workspace.id}::uuid, 'c' || floor(${customers} * power(random(), 2))::int, 'load-' || (${offset} + g),
      'track', (array['page_viewed', 'product_viewed', 'cart_abandoned', 'order_completed'])[1 + floor(random() * random() * 4)::int],
      jsonb_build_object('total', floor(random() * 300)::int), ts, ts, 'load'
    from generate_series(1, ${n}) g, lateral (select now() - random() * interval ${sql.raw(`'${span}'`)} as ts) t`);
  log(`events ${(offset + n).toLocaleString("en")}`);
}
await db.execute(sql`
  insert into customers (workspace_id, customer_id, first_seen_at, last_seen_at)
  select ${workspace.id}::uuid, customer_id, min(timestamp), max(timestamp) from events where workspace_id = ${workspace.id} group by customer_id`);
log("customers");

// Journey stays: one per 10 events; 10% holdout, 5% global control; treatment goes t → w → b → m|v; 20% convert.
const stays = Math.round(events / 10);
for (let offset = 0; offset < stays; offset += chunk) {
  const n = Math.min(chunk, stays - offset);
  await db.execute(sql`
    with s as (
      select g, 'load-' || (1 + g % ${journeyCount}::int) as journey, 'c' || floor(${customers}::int * random())::int as customer,
        now() - random() * interval ${sql.raw(`'${span}'`)} as t0,
        case when random() < 0.05 then 'global_holdout' when random() < 0.1 then 'holdout' else 'treatment' end as grp,
        random() < 0.2 as converts, random() < 0.3 as vip
      from generate_series(${offset + 1}::int, ${offset + n}::int) g),
    rows as (
      select customer, journey, 'enter' as type, null::text as node, t0 as at, jsonb_build_object('key', journey || ':' || customer || ':' || g || ':enter', 'group', grp) as detail from s
      union all select customer, journey, 'node', 't', t0, jsonb_build_object('key', journey || ':' || customer || ':' || g || ':1:node', 'group', grp) from s where grp = 'treatment'
      union all select customer, journey, 'node', 'w', t0, jsonb_build_object('key', journey || ':' || customer || ':' || g || ':2:node', 'group', grp) from s where grp = 'treatment'
      union all select customer, journey, 'node', 'b', t0 + interval '1 hour', jsonb_build_object('key', journey || ':' || customer || ':' || g || ':3:node', 'group', grp) from s where grp = 'treatment'
      union all select customer, journey, 'node', case when vip then 'v' else 'm' end, t0 + interval '1 hour', jsonb_build_object('key', journey || ':' || customer || ':' || g || ':4:node', 'group', grp) from s where grp = 'treatment'
      union all select customer, journey, 'message', case when vip then 'v' else 'm' end, t0 + interval '1 hour', jsonb_build_object('key', journey || ':' || customer || ':' || g || ':4:message', 'group', grp, 'channel', case when vip then 'webhook' else 'email' end) from s where grp = 'treatment'
      union all select customer, journey, 'exit', null, case when grp = 'treatment' then t0 + interval '1 hour' else t0 + interval '7 days' end, jsonb_build_object('key', journey || ':' || customer || ':' || g || ':exit', 'group', grp, 'reason', case when grp = 'treatment' then 'completed' else 'holdout_complete' end) from s
      union all select customer, journey, 'goal', null, t0 + random() * interval '3 days', jsonb_build_object('key', journey || ':' || customer || ':' || g || ':goal', 'group', grp) from s where converts)
    insert into step_log (workspace_id, customer_id, at, journey_id, version, type, node_id, detail)
    select ${workspace.id}::uuid, customer, at, journey, 1, type, node, detail from rows`);
  log(`journey stays ${(offset + n).toLocaleString("en")}`);
}
// The counters the runtime keeps, recounted from those steps (as counters.int.test.ts proves they equal).
await db.execute(sql`
  insert into journey_counters (workspace_id, journey_id, version, node_id, day, "group", metric, count)
  select workspace_id, journey_id, version, case when type in ('node', 'message') then node_id else '' end, (at at time zone 'UTC')::date, detail->>'group',
    case type when 'exit' then 'exit:' || (detail->>'reason') when 'message' then 'message:' || (detail->>'channel') else type end, count(*)
  from step_log where workspace_id = ${workspace.id}
  group by 1, 2, 3, 4, 5, 6, 7`);
await db.execute(sql`
  insert into journey_entrants (workspace_id, journey_id, count)
  select workspace_id, journey_id, count(*) from step_log where workspace_id = ${workspace.id} and type = 'enter' group by 1, 2
  on conflict (workspace_id, journey_id, shard) do update set count = journey_entrants.count + excluded.count`);
log("journey counters");
// Timing and path counters, rebuilt from the steps the same way (counters.int.test.ts proves it equals what the runtime keeps).
await backfillTimingCounts(db, workspace.id);
log("timing and path counters");
await db.execute(sql`
  insert into outbox (workspace_id, key, customer_id, journey_id, node_id, channel, payload, status, attempts, next_attempt_at, last_result, created_at, sent_at)
  select workspace_id, detail->>'key', customer_id, journey_id, node_id, detail->>'channel', '{}'::jsonb, st, case st when 'sent' then 1 when 'retrying' then 3 else 8 end, at,
    case st when 'sent' then '200' when 'retrying' then 'HTTP 503' else 'HTTP 500 after 8 tries' end, at, case when st = 'sent' then at + interval '200 milliseconds' end
  from (select *, case when random() < 0.95 then 'sent' when random() < 0.6 then 'retrying' else 'dead' end as st from step_log where workspace_id = ${workspace.id} and type = 'message') m`);
log("outbox");
await db.execute(sql`
  insert into timers (workspace_id, customer_id, due_at, key, payload)
  select ${workspace.id}::uuid, 'c' || g, now() + random() * interval '2 days', 'load:' || g, '{"score": true}'::jsonb from generate_series(1, ${Math.max(1000, Math.round(events / 100))}) g`);
log("timers");
await db.execute(sql`analyze`);
const [counts] = (await db.execute(sql`
  select (select count(*) from events where workspace_id = ${workspace.id})::bigint as events, (select count(*) from step_log where workspace_id = ${workspace.id})::bigint as steps,
    (select count(*) from journey_counters where workspace_id = ${workspace.id})::bigint as counters, (select count(*) from outbox where workspace_id = ${workspace.id})::bigint as outbox`)) as unknown as [Record<string, string>];
log(`done: ${Object.entries(counts).map(([k, v]) => `${Number(v).toLocaleString("en")} ${k}`).join(", ")}`);
await db.$end();
await embedded?.stop();
