import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/db/client";
import { connectTestDb } from "@/db/testing";
import { workerSessionSettings } from "./start-worker";

/** The settings every runtime worker session runs with (startRuntimeWorker's pool), on a real Postgres. */
let db: Db;
let worker: Db;
beforeAll(async () => {
  db = await connectTestDb();
  worker = createDb(process.env.DATABASE_URL!, { max: 1, settings: workerSessionSettings });
});
afterAll(async () => {
  await worker.$end();
  await db.$end();
});

describe("a worker's database sessions", () => {
  it("plan once, reach rows by index where one serves, and never JIT-compile (a disabled scan's cost set it off)", async () => {
    const [settings] = (await worker.execute(sql`
      select current_setting('enable_seqscan') as seqscan, current_setting('plan_cache_mode') as plans, current_setting('jit') as jit`)) as unknown as [Record<string, string>];
    expect(settings).toEqual({ seqscan: "off", plans: "force_generic_plan", jit: "off" });
    // The lease's count of live workers has no index to use: costed as a disabled scan, it must still run as one.
    const plan = (await worker.execute(sql`explain (analyze, format json) select count(*)::int from runtime_workers where heartbeat_at > now() - interval '10 seconds'`)) as unknown as [{ "QUERY PLAN": [Record<string, unknown>] }];
    expect(plan[0]["QUERY PLAN"][0]).not.toHaveProperty("JIT");
    // Outbox rows by id go through the primary key even while the table is small.
    const byId = (await worker.execute(sql`explain select * from outbox where id = any(${"{1,2,3}"}::bigint[])`)) as unknown as { "QUERY PLAN": string }[];
    expect(byId.map((r) => r["QUERY PLAN"]).join("\n")).toMatch(/Index Scan using outbox_pkey|Bitmap Index Scan on outbox_pkey/);
    // The app's own sessions keep Postgres's defaults.
    const [app] = (await db.execute(sql`select current_setting('enable_seqscan') as seqscan`)) as unknown as [{ seqscan: string }];
    expect(app.seqscan).toBe("on");
  });
});
