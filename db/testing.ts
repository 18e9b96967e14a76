import { randomUUID } from "node:crypto";
import { createDb, type Db } from "./client";
import { migrateDatabase } from "./migrate";
import { ensureWorkspace } from "@/server/workspaces/ensure-workspace";
import { setMemberRole } from "@/server/workspaces/set-member-role";
import { upsertUser } from "@/server/workspaces/upsert-user";
import type { MemberRole } from "./schema";

/**
 * For integration tests: the real Postgres at DATABASE_URL (set by
 * scripts/with-db.ts or CI). Each test makes its own workspace with a unique
 * slug, so tests never see each other's rows.
 */
export async function connectTestDb(): Promise<Db> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("Integration tests need DATABASE_URL: run them with `npm run test:int` (it provides one).");
  await migrateDatabase(url);
  return createDb(url, { max: 5 });
}

export async function makeWorkspace(db: Db, roles: MemberRole[] = ["admin", "marketer", "analyst"]) {
  const tag = randomUUID().slice(0, 8);
  const workspace = await ensureWorkspace(db, `t-${tag}`, `Test ${tag}`);
  const members = {} as Record<MemberRole, string>;
  for (const role of roles) {
    const user = await upsertUser(db, { email: `${role}-${tag}@test.waymark.dev`, password: "test-password" });
    const set = await setMemberRole(db, { workspaceId: workspace.id, userId: user.id, role });
    if (!set.ok) throw new Error(set.message);
    members[role] = user.id;
  }
  return { workspace, members, tag };
}
