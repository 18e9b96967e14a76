import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { journeyDocumentSchema } from "@/server/journey";
import { publishJourney } from "@/server/journeys/publish-journey";
import { createJourneyIfMissing } from "@/server/journeys/upsert-journey-draft";
import { processPartitions } from "@/server/runtime/process-partitions";
import { getJourneyReport } from "./journey-report";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

const all = Array.from({ length: 64 }, (_, i) => i);

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
    const { id } = await createJourneyIfMissing(db, { workspaceId: workspace.id, createdBy: null, document: doc });
    await publishJourney(db, { workspaceId: workspace.id, journeyId: id, userId: null });
    const now = Date.now();
    const ev = (i: number, name: string, offset: number, props: Record<string, unknown> = {}) => ({
      type: "track" as const, userId: `u${i}`, anonymousId: null, customerId: `u${i}-${tag}`, name, properties: props, traits: {}, context: {}, timestamp: new Date(now - 3_600_000 + offset), messageId: `${tag}-${i}-${name}`,
    });
    const batch = [
      ...Array.from({ length: 120 }, (_, i) => ev(i, "visit", i, { n: i % 10 })),
      ...Array.from({ length: 120 }, (_, i) => i).filter((i) => i % 3 === 0).map((i) => ev(i, "buy", 200_000 + i)),
    ];
    await appendEvents(db, workspace.id, batch, "test");
    while ((await processPartitions(db, all, { batchSize: 500 })) > 0);

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
    const [{ entrants }] = (await db.execute(sql`select entrants from journeys where id = ${id}`)) as unknown as [{ entrants: number }];
    expect(entrants).toBe(120);
  });
});
