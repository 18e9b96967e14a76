import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { compileJourney, type LiveProgram, type Program } from "@/server/journey";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Compiled programs by journey_versions.id: published versions never change, so they compile once per process. */
const compiled = new Map<string, Program>();

function compileVersion(id: string, document: unknown, version: number): Program {
  let p = compiled.get(id);
  if (!p) {
    p = compileJourney(document, version);
    compiled.set(id, p);
  }
  return p;
}

/**
 * The programs a batch needs, per workspace: every live or paused journey's
 * current version (live ones take entries; paused ones let customers in them
 * finish, or hold them where they are), plus older versions that in-flight
 * instances are pinned to.
 */
export async function loadPrograms(tx: Tx, workspaceIds: string[], pinned: { workspaceId: string; journey: string; version: number }[]): Promise<Map<string, LiveProgram[]>> {
  const out = new Map<string, LiveProgram[]>(workspaceIds.map((w) => [w, []]));
  if (workspaceIds.length === 0) return out;
  // Documents are read only for versions this process has not compiled yet (they never change once published):
  // a batch otherwise fetched and parsed every live journey's whole document.
  const rows = (await tx.execute(sql`
    select v.id, v.workspace_id as "workspaceId", v.version, j.status, j.pause_mode as "pauseMode", j.slug, (v.version = j.live_version) as current
    from journeys j join journey_versions v on v.journey_id = j.id
    where j.workspace_id in ${sql.raw(`(${workspaceIds.map((w) => `'${w.replace(/[^0-9a-f-]/gi, "")}'`).join(",")})`)}
      and ((v.version = j.live_version and j.status in ('live', 'paused'))
        or (j.slug, v.version) in (${pinned.length ? sql.join(pinned.map((p) => sql`(${p.journey}, ${p.version}::int)`), sql`, `) : sql`(null, null)`}))
  `)) as unknown as { id: string; workspaceId: string; version: number; status: string; pauseMode: string | null; slug: string; current: boolean }[];
  const missing = rows.filter((r) => !compiled.has(r.id)).map((r) => r.id);
  const documents = new Map<string, unknown>();
  if (missing.length > 0) {
    const docs = (await tx.execute(sql`select id, document from journey_versions where id in (${sql.join(
      missing.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`)) as unknown as { id: string; document: unknown }[];
    for (const d of docs) documents.set(d.id, d.document);
  }
  for (const r of rows) {
    try {
      const program = compileVersion(r.id, documents.get(r.id), r.version);
      out.get(r.workspaceId)!.push({ program, acceptsEntries: r.current && r.status === "live", held: r.status === "paused" && r.pauseMode === "hold" });
    } catch {
      // A version that no longer compiles (a schema change) takes no entries; its instances exit as completed.
    }
  }
  return out;
}
