import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { journeyDocumentSchema } from "@/server/journey";
import { backfillTimingCounts } from "./timing-backfill";
import { getJourneyReport } from "./journey-report";
import { listJourneys } from "@/server/journeys/list-journeys";
import { processPartitions } from "@/server/runtime/process-partitions";
import { allPartitions, drainRuntime, publishDocument } from "@/server/testing/runtime";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

describe("analytics counters", () => {
  it("equal a recount from the step log exactly, and feed the funnel and the lift", { timeout: 60_000 }, async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const slug = `funnel-${tag}`;
    const doc = journeyDocumentSchema.parse({
      format: "waymark.journey/v1",
      id: slug,
      name: "Funnel",
      settings: { holdoutPercent: 40, goal: { event: "buy", within: "P7D" }, reentry: "never" },
      nodes: [
        { id: "t", kind: "trigger", config: { event: "visit" } },
        { id: "b", kind: "branch", config: { cases: [{ handle: "big", when: { path: "event.properties.n", op: "gte", value: 5 } }] } },
        { id: "m", kind: "message", config: { channel: "email", template: "hi" } },
        { id: "w", kind: "wait_for_event", config: { event: "click", timeout: "P1D" } },
      ],
      edges: [{ from: "t", to: "b" }, { from: "b", handle: "big", to: "m" }, { from: "m", to: "w" }],
    });
    const id = await publishDocument(db, workspace.id, doc);
    const now = Date.now();
    const ev = (i: number, name: string, offset: number, props: Record<string, unknown> = {}) => ({
      type: "track" as const, userId: `u${i}`, anonymousId: null, customerId: `u${i}-${tag}`, name, properties: props, traits: {}, context: {}, timestamp: new Date(now - 3_600_000 + offset), messageId: `${tag}-${i}-${name}`,
    });
    const batch = [
      ...Array.from({ length: 120 }, (_, i) => ev(i, "visit", i, { n: i % 10 })),
      ...Array.from({ length: 120 }, (_, i) => i).filter((i) => i % 3 === 0).map((i) => ev(i, "buy", 200_000 + i)),
    ];
    await drainRuntime(db); // earlier files' leftovers
    await appendEvents(db, workspace.id, batch, "test");
    // As two workers would: each holds half the partitions and writes its analytics rows under its own shard.
    for (const held of [allPartitions.slice(0, 32), allPartitions.slice(32)]) while ((await processPartitions(db, held, { batchSize: 500 })) > 0);
    const shards = (await db.execute(sql`select distinct shard from journey_counters where workspace_id = ${workspace.id} order by 1`)) as unknown as { shard: number }[];
    expect(shards.map((r) => r.shard)).toEqual([0, 32]);

    const counters = (await db.execute(sql`
      select journey_id, version, node_id, day::text, "group", metric, sum(count)::int as n from journey_counters
      where workspace_id = ${workspace.id} group by 1,2,3,4,5,6 order by 1,2,3,4,5,6`)) as unknown as Record<string, unknown>[];
    const recount = (await db.execute(sql`
      select journey_id, coalesce(version, 0) as version,
             case when type in ('node','message','decision','blocked','held','suppressed') then coalesce(node_id, '') else '' end as node_id,
             (at at time zone 'UTC')::date::text as day, coalesce(detail->>'group', 'treatment') as "group",
             case type when 'message' then 'message:' || (detail->>'channel') when 'exit' then 'exit:' || (detail->>'reason')
                       when 'decision' then 'decision:' || (detail->>'handle') when 'refused' then 'refused:' || (detail->>'reason') else type end as metric,
             count(*)::int as n
      from step_log where workspace_id = ${workspace.id} group by 1,2,3,4,5,6 order by 1,2,3,4,5,6`)) as unknown as Record<string, unknown>[];
    expect(counters.length).toBeGreaterThan(5);
    expect(counters).toEqual(recount);

    // Timing and path counters: what the runtime kept equals a rebuild from the step log (the migration's backfill), row for row.
    const timingRows = async () => [
      (await db.execute(sql`select journey_id, version, day::text, "group", metric, bucket, sum(count)::int as count from journey_durations where workspace_id = ${workspace.id} group by 1,2,3,4,5,6 order by 1,2,3,4,5,6`)) as unknown as Record<string, unknown>[],
      (await db.execute(sql`select journey_id, version, day::text, "group", path, sum(count)::int as count from journey_paths where workspace_id = ${workspace.id} group by 1,2,3,4,5 order by 1,2,3,4,5`)) as unknown as Record<string, unknown>[],
    ];
    const kept = await timingRows();
    const exits = recount.filter((r) => String(r.metric).startsWith("exit:")).reduce((a, r) => a + Number(r.n), 0);
    const goals = recount.filter((r) => r.metric === "goal").reduce((a, r) => a + Number(r.n), 0);
    expect(exits).toBeGreaterThan(10);
    expect(kept[0]!.filter((r) => r.metric === "exit").reduce((a, r) => a + Number(r.count), 0)).toBe(exits);
    expect(kept[0]!.filter((r) => r.metric === "convert").reduce((a, r) => a + Number(r.count), 0)).toBe(goals);
    expect(kept[1]!.reduce((a, r) => a + Number(r.count), 0)).toBe(exits);
    expect(kept[1]!.map((r) => r.path)).toContainEqual(["t", "b"]);
    await db.execute(sql`delete from journey_durations where workspace_id = ${workspace.id}`);
    await db.execute(sql`delete from journey_paths where workspace_id = ${workspace.id}`);
    await backfillTimingCounts(db, workspace.id);
    expect(await timingRows()).toEqual(kept);

    // The migration that backfilled older stays (drizzle/0006) runs the same statements over every workspace: tried in a transaction rolled back.
    const statements = readFileSync(path.join(process.cwd(), "drizzle", "0006_timing_counters.sql"), "utf8").split("--> statement-breakpoint").filter((st) => /INSERT INTO/.test(st));
    expect(statements).toHaveLength(2);
    let fromMigration: Record<string, unknown>[][] = [];
    await db
      .transaction(async (tx) => {
        await tx.execute(sql`delete from journey_durations`);
        await tx.execute(sql`delete from journey_paths`);
        // Into emptied tables, so without its conflict clause, whose key has since gained the writer's shard (0009).
        for (const st of statements) await tx.execute(sql.raw(st.replace(/\son conflict[\s\S]*$/i, "")));
        fromMigration = [
          (await tx.execute(sql`select journey_id, version, day::text, "group", metric, bucket, sum(count)::int as count from journey_durations where workspace_id = ${workspace.id} group by 1,2,3,4,5,6 order by 1,2,3,4,5,6`)) as unknown as Record<string, unknown>[],
          (await tx.execute(sql`select journey_id, version, day::text, "group", path, sum(count)::int as count from journey_paths where workspace_id = ${workspace.id} group by 1,2,3,4,5 order by 1,2,3,4,5`)) as unknown as Record<string, unknown>[],
        ];
        throw new Error("roll back");
      })
      .catch((e: unknown) => {
        if (!(e instanceof Error) || e.message !== "roll back") throw e;
      });
    expect(fromMigration).toEqual(kept);

    const report = (await getJourneyReport(db, workspace.id, { journeyId: id }))!;
    const treatment = report.entered.treatment ?? 0;
    const holdout = report.entered.holdout ?? 0;
    expect(treatment + holdout).toBe(120);
    expect(holdout).toBeGreaterThan(25);
    expect((report.goals.treatment ?? 0) + (report.goals.holdout ?? 0)).toBe(40);
    expect(report.funnel.map((f) => f.nodeId)).toEqual(["t", "b", "m", "w"]);
    expect(report.funnel[0]!.passed).toBe(treatment);
    expect(report.funnel[2]!.passed).toBe(report.messages.email);
    expect(report.lift?.treatment.entered).toBe(treatment);
    // The journey list's entrants: every entry, treatment and holdout, summed over the two workers' shards.
    expect((await listJourneys(db, workspace.id, { includeArchived: false })).find((j) => j.slug === slug)?.entrants).toBe(120);
  });
});
