import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { journeyDocumentSchema } from "@/server/journey";
import { journeyTemplates } from "@/server/journey/templates";
import { predict } from "./model";
import { getScoreModels } from "./store";
import { drainRuntime, publishDocument } from "@/server/testing/runtime";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});
const day = 24 * 3600 * 1000;

describe("predictive scores in the runtime", () => {
  it("learns from outcomes in the step's transaction, and a silent customer enters the churn journey on the tick its risk crosses the threshold", { timeout: 60_000 }, async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const template = journeyTemplates.find((t) => t.id === "churn-prevention")!.document;
    const doc = journeyDocumentSchema.parse({ ...template, id: `churn-${tag}` });
    await publishDocument(db, workspace.id, doc);

    // A month ago: "quiet" opened the app once; "busy" has every day since; "buyer" bought every few days.
    const t0 = Math.floor((Date.now() - 30 * day) / day) * day + 9 * 3600_000;
    const ev = (customer: string, name: string, at: number, properties: Record<string, unknown> = {}) => ({
      type: "track" as const, userId: customer, anonymousId: null, customerId: customer, name, properties, traits: {}, context: {}, timestamp: new Date(at), messageId: `${tag}-${customer}-${name}-${at}`,
    });
    await appendEvents(db, workspace.id, [
      ev("quiet", "session_started", t0),
      ...Array.from({ length: 30 }, (_, d) => ev("busy", "session_started", t0 + d * day)),
      ...Array.from({ length: 10 }, (_, k) => ev("buyer", "order_completed", t0 + k * 3 * day, { total: 50 })),
    ], "test");
    await drainRuntime(db, { batchSize: 500 });

    // Only the silent customer entered, on a whole day after their last activity: a scoring tick.
    const entries = (await db.execute(sql`select customer_id as "customerId", at as t from step_log where workspace_id = ${workspace.id} and type = 'enter'`)) as unknown as { customerId: string; t: string }[];
    expect(entries.map((e) => e.customerId)).toEqual(["quiet"]);
    const after = (new Date(entries[0]!.t).getTime() - t0) / day;
    expect(Number.isInteger(after) && after >= 3 && after <= 14).toBe(true);
    const state = (await db.execute(sql`select state from customer_states where workspace_id = ${workspace.id} and customer_id = 'quiet'`)) as unknown as [{ state: { lastScores: Record<string, number> } }];
    expect(state[0].state.lastScores.churnRisk).toBeGreaterThanOrEqual(0.7);

    // Labelled outcomes reached the stored models: quiet's silence is churn (positives); busy's days are not.
    const models = await getScoreModels(db, workspace.id);
    expect(models.churnRisk!.examples).toBeGreaterThan(30);
    expect(models.churnRisk!.positives).toBeGreaterThan(0);
    expect(models.churnRisk!.positives).toBeLessThan(models.churnRisk!.examples);
    expect(models.purchasePropensity!.positives).toBeGreaterThan(0);
    const rows = (await db.execute(sql`select count(*)::int as n, count(distinct examples)::int as counts from score_models where workspace_id = ${workspace.id}`)) as unknown as [{ n: number; counts: number }];
    expect(rows[0]).toEqual({ n: 12, counts: 2 });
    // What was learned moved the buyer's purchase propensity up from the prior.
    const buyerFeatures = [1, 0, 0.3, 0.5, 0, 0.5];
    expect(predict("purchasePropensity", models.purchasePropensity, buyerFeatures)).toBeGreaterThan(predict("purchasePropensity", undefined, buyerFeatures));

    // Each customer keeps exactly one pending scoring tick while a label or a silent day remains, none in the past.
    const ticks = (await db.execute(sql`select customer_id as "customerId", due_at as "dueAt" from timers where workspace_id = ${workspace.id} and payload->>'score' = 'true' order by customer_id`)) as unknown as { customerId: string; dueAt: string }[];
    expect(ticks.map((t) => t.customerId)).toEqual(["busy", "buyer", "quiet"]);
    for (const t of ticks) expect(new Date(t.dueAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });
});
