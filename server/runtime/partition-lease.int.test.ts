import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { partitionCount } from "@/db/schema";
import { connectTestDb } from "@/db/testing";
import { PartitionLease } from "./partition-lease";

let sqlA: postgres.Sql;
let sqlB: postgres.Sql;
beforeAll(async () => {
  await (await connectTestDb()).$end();
  sqlA = postgres(process.env.DATABASE_URL!, { max: 3, onnotice: () => {} });
  sqlB = postgres(process.env.DATABASE_URL!, { max: 3, onnotice: () => {} });
  await sqlA`delete from runtime_workers`;
});
afterAll(async () => {
  await sqlA.end();
  await sqlB.end();
});

describe("partition leases", () => {
  it("never lets two workers hold the same partition, shares fairly, and frees a dead worker's partitions", async () => {
    const a = new PartitionLease(sqlA, "worker-a");
    const b = new PartitionLease(sqlB, "worker-b");
    await a.start();
    await b.start();
    expect(await a.rebalance()).toHaveLength(partitionCount);
    expect(await b.rebalance()).toHaveLength(0); // a holds everything until it rebalances
    await a.rebalance(); // sees two live workers: gives half back
    const heldB = await b.rebalance();
    const heldA = [...a.held];
    expect(heldA.length).toBe(partitionCount / 2);
    expect(heldB.length).toBe(partitionCount / 2);
    expect(heldA.filter((p) => heldB.includes(p))).toEqual([]);

    await b.stop(); // b leaves (or dies: its connection closing has the same effect)
    await sqlA`delete from runtime_workers where id = 'worker-b'`;
    expect(await a.rebalance()).toHaveLength(partitionCount);
    await a.stop();
  });

  it("drops every partition when its session is cut (as by a Postgres restart) and takes them again on a new one", async () => {
    await sqlA`delete from runtime_workers`;
    const a = new PartitionLease(sqlA, "worker-cut");
    await a.start();
    expect(await a.rebalance()).toHaveLength(partitionCount);
    const sessions = await sqlB`select pid from pg_stat_activity where application_name = 'waymark-lease worker-cut'`;
    expect(sessions).toHaveLength(1);
    await sqlB`select pg_terminate_backend(${sessions[0]!.pid}::int)`;
    for (let i = 0; i < 100 && a.held.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(a.held.size).toBe(0); // the locks died with the session: it must not go on believing it holds them
    expect(a.lost).toBe(true);

    // Meanwhile another worker counts the first out (its lease session is gone) and takes everything; the first comes
    // back on a new session, takes only what is free (no crash, no hang, no overlap), and gets its share once the
    // other rebalances (at once, in a worker: see waymark_rebalance).
    const b = new PartitionLease(sqlB, "worker-other");
    await b.start();
    expect(await b.rebalance()).toHaveLength(partitionCount);
    expect(await a.rebalance()).toEqual([]);
    expect(a.lost).toBe(false);
    const heldB = await b.rebalance();
    expect(heldB).toHaveLength(partitionCount / 2);
    const heldA = await a.rebalance();
    expect(heldA).toHaveLength(partitionCount / 2);
    expect(heldA.filter((p) => heldB.includes(p))).toEqual([]);
    await b.stop();
    await sqlA`delete from runtime_workers where id = 'worker-other'`;
    expect(await a.rebalance()).toHaveLength(partitionCount);
    await a.stop();
  });

  it("counts a worker whose lease session is gone (a killed process) out at once, though its heartbeat is fresh", async () => {
    await sqlA`delete from runtime_workers`;
    const a = new PartitionLease(sqlA, "worker-killed");
    const b = new PartitionLease(sqlB, "worker-survivor");
    await a.start();
    await b.start();
    await a.rebalance();
    await b.rebalance();
    await a.rebalance();
    expect(await b.rebalance()).toHaveLength(partitionCount / 2);
    // a's process dies: its session goes, its heartbeat row stays (seconds old at most).
    const [session] = await sqlB`select pid from pg_stat_activity where application_name = 'waymark-lease worker-killed'`;
    await sqlB`select pg_terminate_backend(${session!.pid}::int, 3000)`;
    expect(await b.rebalance()).toHaveLength(partitionCount);
    await b.stop();
    await a.stop();
    await sqlA`delete from runtime_workers`;
  });

  it("forgets a worker an hour without a heartbeat (one that died without stopping), not one that is only late", async () => {
    await sqlA`delete from runtime_workers`;
    await sqlA`insert into runtime_workers (id, heartbeat_at) values ('worker-dead', now() - interval '61 minutes'), ('worker-late', now() - interval '5 minutes')`;
    const a = new PartitionLease(sqlA, "worker-alive");
    await a.start();
    await a.rebalance();
    const rows = await sqlA`select id from runtime_workers order by id`;
    expect(rows.map((r) => r.id)).toEqual(["worker-alive", "worker-late"]);
    await a.stop();
    await sqlA`delete from runtime_workers`;
  });
});
