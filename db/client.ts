import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
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
export function createDb(url: string, opts: { max?: number; applicationName?: string; settings?: Record<string, string> } = {}) {
  const connection = { ...(opts.applicationName ? { application_name: opts.applicationName.slice(0, 63) } : {}), ...opts.settings };
  const client = postgres(url, { max: opts.max ?? 10, onnotice: () => {}, ...(Object.keys(connection).length > 0 ? { connection } : {}) });
  return Object.assign(drizzle(client, { schema, casing: "snake_case" }), { $end: (timeoutSeconds = 5) => client.end({ timeout: timeoutSeconds }) });
}

const dialect = new PgDialect();

/**
 * Runs `query` (drizzle's `sql`, on a database or inside a transaction) as a
 * prepared statement of its connection: Postgres parses it once per
 * connection and, once it has seen that a generic plan costs no more, stops
 * planning it. For the runtime's few large statements, run several times a
 * second each: planning the claim alone took 2–5 ms, on a statement that
 * runs in well under one. Its text must not vary from call to call (values go
 * in parameters, lists as one array or JSON parameter), or each variant is
 * prepared anew and kept.
 */
export async function executePrepared<T = Record<string, unknown>>(db: Queryable, query: SQL): Promise<T[]> {
  const { sql: text, params } = dialect.sqlToQuery(query);
  const client = (db as unknown as { session: { client: postgres.Sql } }).session.client;
  return (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true })) as unknown as T[];
}

/** A list of integers as ONE text parameter (`{1,2,3}`, cast to int[] or bigint[] in the statement): the statement's text stays the same. */
export const intArray = (xs: number[]) => `{${xs.map((x) => Math.trunc(Number(x))).join(",")}}`;

/**
 * What the runtime's statements need of a database or a drizzle
 * transaction: `execute` for a drizzle `sql`, and underneath (for
 * executePrepared) the postgres.js connection it runs on.
 */
export type Queryable = { execute: (query: SQL) => PromiseLike<unknown> };

const globalForDb = globalThis as unknown as { waymarkDb?: Db };

/** The app's shared database handle (kept across hot reloads in dev). */
export async function getDb(): Promise<Db> {
  if (!globalForDb.waymarkDb) {
    const { env } = await import("@/server/env");
    // Named, so its sessions are told apart from the workers' (waymark-worker …) and the listener's in pg_stat_activity.
    globalForDb.waymarkDb = createDb(env().DATABASE_URL, { max: env().DB_POOL_MAX, applicationName: "waymark-app" });
  }
  return globalForDb.waymarkDb;
}
