import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { memberships, type MemberRole } from "@/db/schema";
import { fail, ok, type Result } from "@/server/result";

/**
 * Puts `userId` in the workspace with `role` (adding or changing the membership).
 * A workspace always keeps at least one admin: demoting the last one fails.
 */
export async function setMemberRole(
  db: Db,
  input: { workspaceId: string; userId: string; role: MemberRole },
): Promise<Result<{ changed: boolean }>> {
  return db.transaction(async (tx) => {
    // Serialise role changes per workspace so two demotions cannot both pass the last-admin check.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${input.workspaceId}))`);
    const current = await tx.query.memberships.findFirst({
      where: and(eq(memberships.workspaceId, input.workspaceId), eq(memberships.userId, input.userId)),
    });
    if (current?.role === input.role) return ok({ changed: false });
    if (current?.role === "admin") {
      const admins = await countAdmins(tx, input.workspaceId);
      if (admins <= 1) return fail("conflict", "A workspace needs at least one admin. Make someone else admin first.");
    }
    await tx
      .insert(memberships)
      .values(input)
      .onConflictDoUpdate({ target: [memberships.workspaceId, memberships.userId], set: { role: input.role } });
    return ok({ changed: true });
  });
}

export async function countAdmins(db: Pick<Db, "select">, workspaceId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, "admin")));
  return row?.n ?? 0;
}
