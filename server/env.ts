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
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

let cached: Env | undefined;

/** Validated environment, read on first use (so build steps without a DB can import modules). */
export function env(): Env {
  cached ??= readEnv();
  return cached;
}
