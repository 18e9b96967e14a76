import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { partitionCount } from "@/db/schema";
import { connectTestDb } from "@/db/testing";
import { processPartitions } from "./process-partitions";
import { RuntimeWorker } from "./worker";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
  await db.execute(sql`delete from runtime_workers`);
});
afterAll(async () => {
  await db.$end();
});

/** How many partitions a worker holds, as Postgres sees its lease session's advisory locks. */
async function heldBy(worker: RuntimeWorker): Promise<number> {
  const [row] = (await db.execute(sql`
    select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and a.application_name = ${`waymark-lease ${worker.id}`}`)) as unknown as [{ n: number }];
  return row.n;
}
async function within(ms: number, what: string, ok: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  while (!(await ok())) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - t0;
}

describe("partitions changing hands between workers", () => {
  it("a joining worker gets its share at once, and a leaving worker's partitions are taken at once, not at the next periodic rebalance", async () => {
    const a = new RuntimeWorker(db, db.$client, { processPartitions, pollMs: 100 });
    await a.start();
    await within(2_000, "the first worker holds every partition", async () => (await heldBy(a)) === partitionCount);

    const b = new RuntimeWorker(db, db.$client, { processPartitions, pollMs: 100 });
    await b.start();
    // The periodic rebalance is every 3 s: well before that, each holds half.
    await within(1_500, "half each after the second joined", async () => (await heldBy(a)) === partitionCount / 2 && (await heldBy(b)) === partitionCount / 2);
    const [{ n }] = (await db.execute(sql`select count(distinct objid)::int as n from pg_locks where locktype = 'advisory' and granted`)) as unknown as [{ n: number }];
    expect(n).toBe(partitionCount); // every partition held, none twice

    await a.stop();
    await within(1_500, "the one left holds every partition", async () => (await heldBy(b)) === partitionCount);
    await b.stop();
  });
});
