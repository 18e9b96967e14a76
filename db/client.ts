import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Db = ReturnType<typeof createDb>;

/**
 * A drizzle database over postgres.js. One code path for real and embedded Postgres.
 *
 * `$end` closes the pool within a bound: it lets queries in flight finish for
 * up to `timeoutSeconds`, then closes the connections (a query still running
 * is rejected). Never unbounded: postgres.js 3.4.9's `end()` waits forever on
 * a connection that was cut under a query and not used again
 * (porsager/postgres#1097, #1130), which is what a Postgres restart leaves.
 */
export function createDb(url: string, opts: { max?: number; applicationName?: string } = {}) {
  const client = postgres(url, { max: opts.max ?? 10, onnotice: () => {}, ...(opts.applicationName ? { connection: { application_name: opts.applicationName.slice(0, 63) } } : {}) });
  return Object.assign(drizzle(client, { schema, casing: "snake_case" }), { $end: (timeoutSeconds = 5) => client.end({ timeout: timeoutSeconds }) });
}

const globalForDb = globalThis as unknown as { waymarkDb?: Db };

/** The app's shared database handle (kept across hot reloads in dev). */
export async function getDb(): Promise<Db> {
  if (!globalForDb.waymarkDb) {
    const { env } = await import("@/server/env");
    globalForDb.waymarkDb = createDb(env().DATABASE_URL, { max: env().DB_POOL_MAX });
  }
  return globalForDb.waymarkDb;
}
