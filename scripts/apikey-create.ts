import { eq } from "drizzle-orm";
import { z } from "zod";
import { createDb } from "@/db/client";
import { apiKeyScopes, workspaces } from "@/db/schema";
import { createApiKey } from "@/server/workspaces/api-keys";
import { fail, parseCli } from "./cli-args";
import { ensureDatabase } from "./db-env";

/** `npm run --silent apikey:create -- --workspace demo --scopes events:write,analytics:read` prints the key and nothing else. */
const usage = `npm run --silent apikey:create -- --workspace <slug> --scopes <${apiKeyScopes.join(",")}> [--name <name>]`;
const args = parseCli({ workspace: { type: "string" }, scopes: { type: "string" }, name: { type: "string" } }, usage);
const parsed = z
  .object({
    workspace: z.string().min(1, "is required"),
    scopes: z
      .string({ message: "is required" })
      .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.enum(apiKeyScopes, { message: `each scope must be one of ${apiKeyScopes.join(", ")}` })).min(1)),
    name: z.string().max(80).default("CLI key"),
  })
  .safeParse(args);
if (!parsed.success) fail(`${parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join("; ")}\nusage: ${usage}`);
const input = parsed.data;

const { url } = await ensureDatabase("dev");
const db = createDb(url, { max: 1 });
try {
  const workspace = await db.query.workspaces.findFirst({ where: eq(workspaces.slug, input.workspace) });
  if (!workspace) fail(`no workspace with slug "${input.workspace}"`);
  const created = await createApiKey(db, { workspaceId: workspace.id, createdBy: null, name: input.name, scopes: input.scopes });
  process.stdout.write(`${created.key}\n`);
} finally {
  await db.$end();
}
process.exit(0);
