import { randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { eventSources } from "@/db/schema";
import { fail, ok, type Result } from "@/server/result";
import { openSecret, sealSecret } from "@/server/secrets";

/**
 * Signed webhook sources (POST /api/v1/webhooks/{slug}, X-Waymark-Signature).
 * The signing secret must be read back to check signatures, so it cannot be
 * hashed like an API key: it is sealed at rest (server/secrets.ts), shown to
 * the admin once when made or rolled, and never again.
 */
export const sourceSlugPattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const createEventSourceInputSchema = z.object({
  name: z.string().trim().min(1, "Give the source a name, e.g. 'Shopify orders'").max(80),
  slug: z
    .string()
    .trim()
    .regex(sourceSlugPattern, "The slug is the end of the webhook URL: lowercase letters, digits and dashes, starting with a letter or digit (at most 63)"),
});
export type CreateEventSourceInput = z.infer<typeof createEventSourceInputSchema>;

export type EventSourceSummary = { id: string; name: string; slug: string; createdAt: Date; revokedAt: Date | null };

const purpose = (workspaceId: string, slug: string) => `event-source:${workspaceId}:${slug}`;
const newSecret = () => `whsec_${randomBytes(24).toString("base64url")}`;

/** Sealed form of a signing secret for a source row (also for fixtures that insert rows themselves). */
export function sealSigningSecret(workspaceId: string, slug: string, secret: string): string {
  return sealSecret(secret, purpose(workspaceId, slug));
}

/** The plain signing secret of a source row; throws SecretUnreadableError when this server's key cannot open it. */
export function signingSecretOf(row: { workspaceId: string; slug: string; signingSecret: string }): string {
  return openSecret(row.signingSecret, purpose(row.workspaceId, row.slug));
}

export async function createEventSource(db: Db, workspaceId: string, input: CreateEventSourceInput): Promise<Result<{ id: string; slug: string; secret: string }>> {
  const secret = newSecret();
  const [row] = await db
    .insert(eventSources)
    .values({ workspaceId, name: input.name, slug: input.slug, signingSecret: sealSigningSecret(workspaceId, input.slug, secret) })
    .onConflictDoNothing({ target: eventSources.slug })
    .returning({ id: eventSources.id });
  // Slugs are unique across workspaces (the URL names the workspace), and revoked ones stay taken so an old sender never reaches a new owner.
  if (!row) return fail("conflict", `The slug "${input.slug}" is taken; choose another.`);
  return ok({ id: row.id, slug: input.slug, secret });
}

export async function listEventSources(db: Db, workspaceId: string): Promise<EventSourceSummary[]> {
  return db
    .select({ id: eventSources.id, name: eventSources.name, slug: eventSources.slug, createdAt: eventSources.createdAt, revokedAt: eventSources.revokedAt })
    .from(eventSources)
    .where(eq(eventSources.workspaceId, workspaceId))
    .orderBy(desc(eventSources.createdAt));
}

/** A new signing secret for a live source (the old one stops working at once); shown once. */
export async function rollEventSourceSecret(db: Db, workspaceId: string, id: string): Promise<Result<{ name: string; slug: string; secret: string }>> {
  const source = await db.query.eventSources.findFirst({ where: and(eq(eventSources.workspaceId, workspaceId), eq(eventSources.id, id), isNull(eventSources.revokedAt)) });
  if (!source) return fail("not_found", "That source does not exist or is revoked.");
  const secret = newSecret();
  await db.update(eventSources).set({ signingSecret: sealSigningSecret(workspaceId, source.slug, secret) }).where(eq(eventSources.id, id));
  return ok({ name: source.name, slug: source.slug, secret });
}

export async function revokeEventSource(db: Db, workspaceId: string, id: string): Promise<Result<{ name: string; slug: string }>> {
  const [row] = await db
    .update(eventSources)
    .set({ revokedAt: new Date() })
    .where(and(eq(eventSources.workspaceId, workspaceId), eq(eventSources.id, id), isNull(eventSources.revokedAt)))
    .returning({ name: eventSources.name, slug: eventSources.slug });
  return row ? ok(row) : fail("not_found", "That source does not exist or is already revoked.");
}
