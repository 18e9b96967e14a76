import { z } from "zod";
import { createDb } from "@/db/client";
import { memberRoles } from "@/db/schema";
import { ensureWorkspace, workspaceSlugSchema } from "@/server/workspaces/ensure-workspace";
import { setMemberRole } from "@/server/workspaces/set-member-role";
import { emailSchema, passwordSchema, upsertUser } from "@/server/workspaces/upsert-user";
import { fail, parseCli } from "./cli-args";
import { ensureDatabase } from "./db-env";

const usage = "npm run user:create -- --email <email> --password <password> --workspace <slug> --role admin|marketer|analyst [--name <name>]";
const args = parseCli(
  { email: { type: "string" }, password: { type: "string" }, workspace: { type: "string" }, role: { type: "string" }, name: { type: "string" } },
  usage,
);
const parsed = z
  .object({ email: emailSchema, password: passwordSchema, workspace: workspaceSlugSchema, role: z.enum(memberRoles), name: z.string().optional() })
  .safeParse(args);
if (!parsed.success) fail(`${parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("; ")}\nusage: ${usage}`);
const input = parsed.data;

const { url } = await ensureDatabase("dev");
const db = createDb(url, { max: 2 });
try {
  const workspace = await ensureWorkspace(db, input.workspace);
  const user = await upsertUser(db, { email: input.email, password: input.password, name: input.name, resetPassword: true });
  const set = await setMemberRole(db, { workspaceId: workspace.id, userId: user.id, role: input.role });
  if (!set.ok) fail(set.message);
  console.log(`${user.created ? "Created" : "Updated"} ${input.email} as ${input.role} of workspace "${workspace.slug}".`);
} finally {
  await db.$end();
}
process.exit(0);
