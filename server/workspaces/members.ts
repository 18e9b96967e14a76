import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { memberRoles, memberships, users } from "@/db/schema";
import { fail, ok, type Result } from "@/server/result";
import { countAdmins, setMemberRole } from "./set-member-role";
import { emailSchema, passwordSchema, upsertUser } from "./upsert-user";

export const memberSchema = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(memberRoles),
  joinedAt: z.date(),
});
export type Member = z.infer<typeof memberSchema>;

export async function listMembers(db: Db, workspaceId: string): Promise<Member[]> {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, workspaceId))
    .orderBy(asc(users.email));
}

export const addMemberInputSchema = z.object({
  email: emailSchema,
  name: z.string().trim().max(100).optional(),
  role: z.enum(memberRoles),
  /** Needed only when the email has no account yet: the new member's first password. */
  password: passwordSchema.optional(),
});
export type AddMemberInput = z.infer<typeof addMemberInputSchema>;

/** Adds a person to the workspace: an existing account by email, or a new one with the given password. */
export async function addMember(db: Db, workspaceId: string, input: AddMemberInput): Promise<Result<{ userId: string; created: boolean }>> {
  const existing = await db.query.users.findFirst({ where: sql`lower(${users.email}) = ${input.email}` });
  if (existing) {
    const member = await db.query.memberships.findFirst({
      where: and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, existing.id)),
    });
    if (member) return fail("conflict", `${input.email} is already a member (${member.role}).`);
  } else if (!input.password) {
    return fail("invalid", `${input.email} has no account yet: give them a first password (8+ characters).`);
  }
  const user = existing
    ? { id: existing.id, created: false }
    : await upsertUser(db, { email: input.email, password: input.password!, name: input.name });
  const set = await setMemberRole(db, { workspaceId, userId: user.id, role: input.role });
  if (!set.ok) return set;
  return ok({ userId: user.id, created: user.created });
}

export async function removeMember(db: Db, workspaceId: string, userId: string): Promise<Result<null>> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${workspaceId}))`);
    const member = await tx.query.memberships.findFirst({
      where: and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)),
    });
    if (!member) return fail("not_found", "That person is not a member of this workspace.");
    if (member.role === "admin" && (await countAdmins(tx, workspaceId)) <= 1) {
      return fail("conflict", "A workspace needs at least one admin. Make someone else admin first.");
    }
    await tx.delete(memberships).where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)));
    return ok(null);
  });
}
