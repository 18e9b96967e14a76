import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { workspaces } from "@/db/schema";

export const workspaceSlugSchema = z
  .string()
  .min(2)
  .max(48)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "Workspace slugs use lowercase letters, digits and dashes");

/** Finds a workspace by slug, creating it (named `name`) when missing. */
export async function ensureWorkspace(db: Db, slug: string, name?: string): Promise<{ id: string; slug: string; name: string }> {
  const valid = workspaceSlugSchema.parse(slug);
  await db.insert(workspaces).values({ slug: valid, name: name ?? valid }).onConflictDoNothing();
  const row = await db.query.workspaces.findFirst({ where: eq(workspaces.slug, valid) });
  if (!row) throw new Error(`workspace ${valid} vanished after insert`);
  return row;
}
