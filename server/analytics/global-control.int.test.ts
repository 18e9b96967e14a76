import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { journeyDocumentSchema } from "@/server/journey";
import { saveWorkspaceSettings } from "@/server/workspaces/workspace-settings";
import { getGlobalControlReport, globalControlInputSchema } from "./global-control";
import { computeLift } from "./lift";
import { drainRuntime, publishDocument } from "@/server/testing/runtime";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

describe("the global control report", () => {
  it("compares each journey's treatment with the global control group, from the runtime's counters, and pools them", { timeout: 60_000 }, async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await saveWorkspaceSettings(db, workspace.id, { globalHoldoutPercent: 30 });
    for (const [name, trigger] of [["one", "visit"], ["two", "signup"]] as const) {
      const doc = journeyDocumentSchema.parse({
        format: "waymark.journey/v1",
        id: `${name}-${tag}`,
        name: `Journey ${name}`,
        settings: { goal: { event: "purchase", within: "P7D" }, timezone: "UTC" },
        nodes: [
          { id: "t", kind: "trigger", config: { event: trigger } },
          { id: "m", kind: "message", config: { channel: "in_app", template: "hi" } },
        ],
        edges: [{ from: "t", to: "m" }],
      });
      await publishDocument(db, workspace.id, doc);
    }
    const t0 = Date.now() - 3600_000;
    const ev = (i: number, name: string, at: number) => ({ type: "track" as const, userId: `u${i}`, anonymousId: null, customerId: `u${i}`, name, properties: {}, traits: {}, context: {}, timestamp: new Date(at), messageId: `${tag}-${name}-${i}` });
    await appendEvents(db, workspace.id, [...Array.from({ length: 120 }, (_, i) => ev(i, "visit", t0 + i)), ...Array.from({ length: 60 }, (_, i) => ev(i, "signup", t0 + 1000 + i))], "test");
    await drainRuntime(db, { batchSize: 500, ai: null });
    await appendEvents(db, workspace.id, Array.from({ length: 120 }, (_, i) => i).filter((i) => i % 3 === 0).map((i) => ev(i, "purchase", t0 + 60_000 + i)), "test");
    await drainRuntime(db, { batchSize: 500, ai: null });

    const report = await getGlobalControlReport(db, workspace.id, {});
    expect(report.percent).toBe(30);
    expect(report.journeys.map((j) => j.name)).toEqual(["Journey one", "Journey two"]);
    // Counts equal a recount of the step log, group by group.
    for (const j of report.journeys) {
      const recount = (await db.execute(sql`
        select detail->>'group' as "group", type, count(*)::int as n from step_log
        where workspace_id = ${workspace.id} and journey_id = ${j.journeyId} and type in ('enter', 'goal') group by 1, 2`)) as unknown as { group: string; type: string; n: number }[];
      const get = (group: string, type: string) => recount.find((r) => r.group === group && r.type === type)?.n ?? 0;
      expect(j.treatment).toEqual({ entered: get("treatment", "enter"), converted: get("treatment", "goal") });
      expect(j.control).toEqual({ entered: get("global_holdout", "enter"), converted: get("global_holdout", "goal") });
      expect(j.control.entered).toBeGreaterThan(0);
      expect(j.lift).toEqual(computeLift(j.treatment, j.control));
    }
    expect(report.journeys[0]!.treatment.entered + report.journeys[0]!.control.entered).toBe(120);
    expect(report.all.treatment.entered).toBe(report.journeys.reduce((s, j) => s + j.treatment.entered, 0));
    expect(report.all.control.converted).toBe(report.journeys.reduce((s, j) => s + j.control.converted, 0));

    // A period with nothing in it; and bad input is refused by the schema.
    expect((await getGlobalControlReport(db, workspace.id, { from: "2020-01-01", to: "2020-01-31" })).journeys).toEqual([]);
    expect(globalControlInputSchema.safeParse({ from: "2026-02-01", to: "2026-01-01" }).success).toBe(false);
    expect(globalControlInputSchema.safeParse({ from: "yesterday" }).success).toBe(false);
  });
});
