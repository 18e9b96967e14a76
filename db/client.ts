import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Db = ReturnType<typeof createDb>;

/** A drizzle database over postgres.js. One code path for real and embedded Postgres. */
export function createDb(url: string, opts: { max?: number } = {}) {
  const client = postgres(url, { max: opts.max ?? 10, onnotice: () => {} });
  return Object.assign(drizzle(client, { schema, casing: "snake_case" }), { $end: () => client.end() });
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
