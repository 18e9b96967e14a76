import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { createDb } from "./client";

const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "drizzle");

/**
 * Applies the committed drizzle-kit migrations. Idempotent: drizzle records what
 * ran in drizzle.__drizzle_migrations, and an advisory lock keeps two starting
 * processes from migrating at once.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const db = createDb(url, { max: 1 });
  try {
    await db.execute("select pg_advisory_lock(727274)");
    await migrate(db, { migrationsFolder });
    await db.execute("select pg_advisory_unlock(727274)");
  } finally {
    await db.$end();
  }
}
