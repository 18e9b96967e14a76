import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "./client";
import { connectTestDb } from "./testing";

let admin: Db;
beforeAll(async () => {
  admin = await connectTestDb();
});
afterAll(async () => {
  await admin.$end();
});

describe("createDb().$end", () => {
  it("closes the pool within its bound after a connection was cut under a running query", { timeout: 30_000 }, async () => {
    const db = createDb(process.env.DATABASE_URL!, { max: 2 });
    const marker = `cut-${Math.random().toString(36).slice(2)}`;
    const running = db.execute(sql.raw(`select pg_sleep(20), '${marker}'`)).then(
      () => "finished",
      (err: unknown) => String((err as { cause?: { code?: string } }).cause?.code ?? err),
    );
    for (let i = 0; ; i++) {
      const rows = (await admin.execute(sql`
        select pg_terminate_backend(pid) as cut from pg_stat_activity
        where query like ${`%'${marker}'%`} and pid <> pg_backend_pid()`)) as unknown as { cut: boolean }[];
      if (rows.some((r) => r.cut)) break;
      if (i > 200) throw new Error("the query never showed in pg_stat_activity");
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await running).toBe("CONNECTION_CLOSED"); // postgres.js's own reading of the cut
    // postgres.js 3.4.9's unbounded end() never resolves here (porsager/postgres#1097, #1130).
    const started = Date.now();
    const outcome = await Promise.race([db.$end(1).then(() => "ended"), new Promise((r) => setTimeout(() => r("still waiting after 10 s"), 10_000))]);
    expect(outcome).toBe("ended");
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
