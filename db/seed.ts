import type { Db } from "./client";
import type { MemberRole } from "./schema";
import { journeyTemplates } from "@/server/journey";
import { createJourneyIfMissing } from "@/server/journeys/upsert-journey-draft";
import { ensureWorkspace } from "@/server/workspaces/ensure-workspace";
import { setMemberRole } from "@/server/workspaces/set-member-role";
import { upsertUser } from "@/server/workspaces/upsert-user";

/** The demo accounts the README lists. Same password for all three. */
export const demoPassword = "waymark-demo";
export const demoUsers = [
  { email: "admin@demo.waymark.dev", name: "Ada Admin", role: "admin" },
  { email: "marketer@demo.waymark.dev", name: "Mia Marketer", role: "marketer" },
  { email: "analyst@demo.waymark.dev", name: "Ari Analyst", role: "analyst" },
] as const satisfies readonly { email: string; name: string; role: MemberRole }[];

/**
 * The demo workspace (slug `demo`), its three members and the four template
 * journeys. Idempotent: running it again changes nothing that exists (it does
 * reset the demo passwords so the README's credentials always work).
 */
export async function seedDemo(db: Db): Promise<{ workspaceId: string; journeysCreated: number }> {
  const workspace = await ensureWorkspace(db, "demo", "Demo Store");
  let adminId: string | null = null;
  for (const u of demoUsers) {
    const user = await upsertUser(db, { email: u.email, password: demoPassword, name: u.name, resetPassword: true });
    const set = await setMemberRole(db, { workspaceId: workspace.id, userId: user.id, role: u.role });
    if (!set.ok) throw new Error(`seed: ${set.message}`);
    if (u.role === "admin") adminId = user.id;
  }
  let journeysCreated = 0;
  for (const t of journeyTemplates) {
    const res = await createJourneyIfMissing(db, {
      workspaceId: workspace.id,
      createdBy: adminId,
      description: t.description,
      document: t.document,
    });
    if (res.created) journeysCreated++;
  }
  return { workspaceId: workspace.id, journeysCreated };
}
