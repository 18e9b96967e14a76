import { and, eq, like } from "drizzle-orm";
import type { Db } from "@/db/client";
import { journeys } from "@/db/schema";
import { fail, ok, type Result } from "@/server/result";
import { journeyTemplates } from "@/server/journey";

/** A slug from a name, made unique in the workspace ("abandoned-cart", "abandoned-cart-2", …). */
export async function uniqueSlug(db: Db, workspaceId: string, base: string): Promise<string> {
  const root =
    base
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "journey";
  const taken = new Set(
    (await db.select({ slug: journeys.slug }).from(journeys).where(and(eq(journeys.workspaceId, workspaceId), like(journeys.slug, `${root}%`)))).map((r) => r.slug),
  );
  if (!taken.has(root)) return root;
  for (let i = 2; ; i++) if (!taken.has(`${root}-${i}`)) return `${root}-${i}`;
}

/**
 * Creates a draft journey from one of the templates, from a blank canvas, or
 * as a copy of another journey's draft ("duplicate").
 */
export async function createJourney(
  db: Db,
  input: { workspaceId: string; userId: string | null; name?: string; from: { template: string } | { blank: true } | { journeyId: string } },
): Promise<Result<{ id: string; slug: string }>> {
  let document: Record<string, unknown>;
  let description = "";
  if ("template" in input.from) {
    const template = journeyTemplates.find((t) => t.id === (input.from as { template: string }).template);
    if (!template) return fail("not_found", "No such template.");
    document = structuredClone(template.document) as unknown as Record<string, unknown>;
    description = template.description;
  } else if ("journeyId" in input.from) {
    const source = await db.query.journeys.findFirst({ where: and(eq(journeys.workspaceId, input.workspaceId), eq(journeys.id, input.from.journeyId)) });
    if (!source) return fail("not_found", "That journey does not exist.");
    document = { ...source.draft, name: input.name ?? `${source.name} (copy)` };
    description = source.description;
  } else {
    document = { format: "waymark.journey/v1", id: "", name: input.name ?? "Untitled journey", nodes: [], edges: [] };
  }
  const name = (input.name ?? String(document.name ?? "Untitled journey")).trim().slice(0, 200) || "Untitled journey";
  const slug = await uniqueSlug(db, input.workspaceId, name);
  const [row] = await db
    .insert(journeys)
    .values({ workspaceId: input.workspaceId, slug, name, description, draft: { ...document, id: slug, name }, createdBy: input.userId })
    .returning({ id: journeys.id });
  return ok({ id: row!.id, slug });
}
