import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { hashPassword } from "@/server/auth/password";

export const emailSchema = z.email("Enter a valid email address").max(254).transform((e) => e.toLowerCase());
export const passwordSchema = z.string().min(8, "Passwords need at least 8 characters").max(200);

/**
 * Creates a user, or (with `resetPassword`) sets the password of an existing one.
 * Emails are case-insensitive. Returns the user's id.
 */
export async function upsertUser(
  db: Db,
  input: { email: string; password: string; name?: string; resetPassword?: boolean },
): Promise<{ id: string; created: boolean }> {
  const email = emailSchema.parse(input.email);
  const existing = await db.query.users.findFirst({ where: sql`lower(${users.email}) = ${email}` });
  if (existing) {
    if (input.resetPassword) {
      await db
        .update(users)
        .set({ passwordHash: await hashPassword(input.password), ...(input.name ? { name: input.name } : {}) })
        .where(sql`${users.id} = ${existing.id}`);
    }
    return { id: existing.id, created: false };
  }
  const [row] = await db
    .insert(users)
    .values({ email, name: input.name ?? email.split("@")[0] ?? email, passwordHash: await hashPassword(input.password) })
    .returning({ id: users.id });
  return { id: row!.id, created: true };
}
