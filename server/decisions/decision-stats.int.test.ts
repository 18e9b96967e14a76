import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { journeyDocumentSchema } from "@/server/journey";
import { getDecisionReport } from "./decision-report";
import { drainRuntime, publishDocument } from "@/server/testing/runtime";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});
async function drain() {
  await drainRuntime(db, { batchSize: 500 });
}

describe("the runtime's bandit learning", () => {
  it("counts each decision and each credited goal in decision_stats, in the step's transaction, equal to a recount of the step log", { timeout: 60_000 }, async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const doc = journeyDocumentSchema.parse({
      format: "waymark.journey/v1",
      id: `nba-${tag}`,
      name: "nba",
      settings: { goal: { event: "purchase", within: "P1D" }, timezone: "UTC" },
      nodes: [
        { id: "t", kind: "trigger", config: { event: "visit" } },
        { id: "d", kind: "decision", config: { policy: "bandit", options: [{ handle: "a", channel: "in_app" }, { handle: "b", channel: "in_app" }] } },
        { id: "ma", kind: "message", config: { channel: "in_app", template: "a" } },
        { id: "mb", kind: "message", config: { channel: "in_app", template: "b" } },
      ],
      edges: [{ from: "t", to: "d" }, { from: "d", handle: "a", to: "ma" }, { from: "d", handle: "b", to: "mb" }],
    });
    const id = await publishDocument(db, workspace.id, doc);

    const t0 = Date.now() - 3600_000;
    const ev = (i: number, name: string, at: number, traits: Record<string, unknown> = {}) => ({
      type: "track" as const, userId: `u${i}`, anonymousId: null, customerId: `u${i}`, name, properties: {}, traits, context: {}, timestamp: new Date(at), messageId: `${tag}-${name}-${i}`,
    });
    await appendEvents(db, workspace.id, Array.from({ length: 40 }, (_, i) => ev(i, "visit", t0 + i * 1000)), "test");
    await drain();
    const decisions = (await db.execute(sql`select customer_id as "customerId", detail->>'handle' as handle from step_log where workspace_id = ${workspace.id} and type = 'decision'`)) as unknown as { customerId: string; handle: string }[];
    expect(decisions).toHaveLength(40);
    // Customers who got option b buy; those who got a do not.
    const buyers = decisions.filter((d) => d.handle === "b").map((d) => Number(d.customerId.slice(1)));
    await appendEvents(db, workspace.id, buyers.map((i) => ev(i, "purchase", t0 + 60_000 + i)), "test");
    await drain();

    const rows = (await db.execute(sql`select bucket, handle, trials::int, successes::int from decision_stats where workspace_id = ${workspace.id} and journey_id = ${doc.id} and node_id = 'd' and bucket = '*' order by handle`)) as unknown as { handle: string; trials: number; successes: number }[];
    const recount = (h: string) => decisions.filter((d) => d.handle === h).length;
    expect(rows).toEqual([
      { bucket: "*", handle: "a", trials: recount("a"), successes: 0 },
      { bucket: "*", handle: "b", trials: recount("b"), successes: buyers.length },
    ].filter((r) => r.trials > 0));
    const goals = (await db.execute(sql`select count(*)::int as n from step_log where workspace_id = ${workspace.id} and type = 'goal' and detail->'rewards'->0->>'handle' = 'b'`)) as unknown as [{ n: number }];
    expect(goals[0].n).toBe(buyers.length);

    // The next customers see what was learned: b converts, a never did, so b is chosen far more often.
    await appendEvents(db, workspace.id, Array.from({ length: 40 }, (_, i) => ev(100 + i, "visit", t0 + 120_000 + i * 1000)), "test");
    await drain();
    const later = (await db.execute(sql`select count(*) filter (where detail->>'handle' = 'b')::int as b from step_log where workspace_id = ${workspace.id} and type = 'decision' and customer_id like 'u1__'`)) as unknown as [{ b: number }];
    expect(later[0].b).toBeGreaterThanOrEqual(30);

    // The decision quality report reads the same numbers, and estimates offline what uniform choice would have earned.
    const report = (await getDecisionReport(db, workspace.id, { journeyId: id }))!;
    expect(report.node).toEqual({ id: "d", policy: "bandit" });
    const b = report.options.find((o) => o.handle === "b")!;
    expect(b.decisions).toBe(recount("b") + later[0].b);
    expect(b.conversions).toBe(buyers.length);
    expect(b.low! <= b.rate! && b.rate! <= b.high!).toBe(true);
    expect(report.allocation.reduce((n, d) => n + Object.values(d.counts).reduce((x, y) => x + y, 0), 0)).toBe(80);
    expect(report.logged.decisions).toBe(80);
    const uniform = report.estimates.find((e) => e.policy === "uniform")!;
    expect(uniform.snips).toBeGreaterThan(0);
    expect(uniform.snips).toBeLessThan(1);
  });
});
