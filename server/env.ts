import { z } from "zod";

/**
 * The environment, validated once. Everything that reads configuration imports
 * `env` from here; nothing else touches process.env for app settings.
 *
 * DATABASE_URL is always set by the time the app runs: either by the operator
 * (real Postgres) or by scripts/dev.ts / scripts/start.ts / scripts/with-db.ts,
 * which start the embedded Postgres and export its URL.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z.url({ message: "DATABASE_URL must be a postgres:// URL" }),
  AUTH_SECRET: z.string().min(16, "AUTH_SECRET must be at least 16 characters").optional(),
  /** Key material for secrets sealed at rest (server/secrets.ts); AUTH_SECRET when unset. Web server and workers must share it. */
  WAYMARK_SECRETS_KEY: z.string().min(32, "WAYMARK_SECRETS_KEY must be at least 32 characters").optional(),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  /** A runtime worker busy with small rounds waits this long before the next one, so it takes more at a time (see RuntimeWorker); 0: at once. */
  WAYMARK_WORKER_PACE_MS: z.coerce.number().int().min(0).max(50).default(3),
  /**
   * Retention: runtime workers remove processed events, step log rows and sent or dead messages older than this many
   * days (see server/runtime/retention.ts). Unset: everything is kept.
   */
  WAYMARK_RETENTION_DAYS: z.coerce.number({ message: "WAYMARK_RETENTION_DAYS must be a number of days" }).int("WAYMARK_RETENTION_DAYS must be whole days").min(1, "WAYMARK_RETENTION_DAYS must be at least 1").max(36_500).optional(),
  /** The AI model provider for `model` decisions (an OpenAI-compatible chat completions API). Off unless AI_BASE_URL and AI_MODEL are set. */
  AI_BASE_URL: z.url({ message: "AI_BASE_URL must be a URL such as https://api.openai.com/v1" }).optional(),
  AI_API_KEY: z.string().optional(),
  AI_MODEL: z.string().min(1).optional(),
  AI_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2000),
});

/** AUTH_SECRET for local development and tests only (scripts/db-env.ts sets it when unset); production must set its own. */
export const devAuthSecret = "waymark-local-dev-secret-change-me-in-production";

export type Env = z.infer<typeof envSchema>;

function readEnv(): Env {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) throw invalid(parsed.error.issues);
  return parsed.data;
}

function invalid(issues: z.core.$ZodIssue[]): Error {
  return new Error(`Invalid environment:\n${issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
}

let cached: Env | undefined;

/** Validated environment, read on first use (so build steps without a DB can import modules). */
export function env(): Env {
  cached ??= readEnv();
  return cached;
}

/**
 * Just the key material for secrets at rest, validated the same way: scripts
 * that seal secrets for a database they started themselves (bench, fault
 * suite) have no DATABASE_URL of their own.
 */
let cachedSecrets: Pick<Env, "WAYMARK_SECRETS_KEY" | "AUTH_SECRET"> | undefined;
export function secretsEnv(): Pick<Env, "WAYMARK_SECRETS_KEY" | "AUTH_SECRET"> {
  if (cachedSecrets) return cachedSecrets;
  const parsed = envSchema.pick({ WAYMARK_SECRETS_KEY: true, AUTH_SECRET: true }).safeParse(process.env);
  if (!parsed.success) throw invalid(parsed.error.issues);
  return (cachedSecrets = parsed.data);
}
