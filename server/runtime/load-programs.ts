import { sql, type SQL } from "drizzle-orm";
import { executePrepared, type Queryable } from "@/db/client";
import { applyStatsUpdates, type DecisionStats } from "@/server/decisions/learning";
import { compileJourney, type LiveProgram, type Program } from "@/server/journey";
import { workspaceSettingsSchema, type WorkspaceSettings } from "@/server/journey/schema";
import type { ScoreModels } from "@/server/scores/model";
import { scoreModelsFromRows, type ScoreModelRow } from "@/server/scores/store";

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

export type BatchContext = {
  programs: Map<string, LiveProgram[]>;
  /** Each decision node's learned counts (small: nodes × buckets × options). */
  learned: Map<string, DecisionStats>;
  /** Each workspace's limits across journeys; a stored value that no longer parses counts as none (and is refused on save). */
  settings: Map<string, WorkspaceSettings>;
  /** Each workspace's predictive score models (a few rows per workspace: scores × features). */
  scoreModels: Map<string, ScoreModels>;
  /** Stored channel settings by `${workspaceId}\u0000${channel}` (none stored: the log channel), for sending the batch's messages after it commits. */
  channels: Map<string, Record<string, unknown>>;
};

export const defaultWorkspaceSettings: WorkspaceSettings = workspaceSettingsSchema.parse({});

type VersionRow = { id: string; workspaceId: string; version: number; status: string; pauseMode: string | null; slug: string; current: boolean };
type StatsRow = { workspaceId: string; journeyId: string; nodeId: string; bucket: string; handle: string; trials: string | number; successes: string | number };

/**
 * The select list of what a batch's workspaces need: the programs (every
 * live or paused journey's current version, which takes entries or lets
 * customers in it finish or holds them, plus older versions that in-flight
 * instances are pinned to), the bandit's counts, the workspace settings, the
 * score models and the channel settings. `ids` is an expression of the
 * workspaces' uuid[]; `pins` a query of (j text, v int) rows. The claim
 * carries it (one statement per batch for both, see claimBatch);
 * loadBatchContext runs it alone.
 */
export function contextColumns(ids: SQL, pins: SQL): SQL {
  return sql`
      (select coalesce(json_agg(x), '[]') from (
        select v.id, v.workspace_id as "workspaceId", v.version, j.status, j.pause_mode as "pauseMode", j.slug, (v.version = j.live_version) as current
        from journeys j join journey_versions v on v.journey_id = j.id
        where j.workspace_id = any(${ids})
          and ((v.version = j.live_version and j.status in ('live', 'paused'))
            or (j.slug, v.version) in (${pins}))) x) as versions,
      (select coalesce(json_agg(x), '[]') from (
        select workspace_id as "workspaceId", journey_id as "journeyId", node_id as "nodeId", bucket, handle, trials, successes
        from decision_stats where workspace_id = any(${ids})) x) as stats,
      (select coalesce(json_agg(x), '[]') from (select id, settings from workspaces where id = any(${ids})) x) as settings,
      (select coalesce(json_agg(x), '[]') from (
        select workspace_id as "workspaceId", score, feature, learned, sq_grad as "sqGrad", examples, positives
        from score_models where workspace_id = any(${ids})) x) as models,
      (select coalesce(json_agg(x), '[]') from (
        select workspace_id as "workspaceId", channel, config from channel_settings where workspace_id = any(${ids})) x) as channels`;
}

/** The context columns' values, as the statement returns them. */
export type ContextRows = { versions: VersionRow[]; stats: StatsRow[]; settings: { id: string; settings: unknown }[]; models: ScoreModelRow[]; channels: { workspaceId: string; channel: string; config: Record<string, unknown> }[] };

/**
 * What a batch's workspaces need (contextColumns), in ONE statement of its
 * own: for a batch whose claim did not cover it (see coversPins).
 */
export async function loadBatchContext(tx: Queryable, workspaceIds: string[], pinned: { journey: string; version: number }[]): Promise<BatchContext> {
  if (workspaceIds.length === 0) return emptyContext(workspaceIds);
  // Lists as one parameter each, so the statement's text never varies (it is prepared: see executePrepared).
  const ids = sql`${`{${workspaceIds.map((w) => w.replace(/[^0-9a-f-]/gi, "")).join(",")}}`}::uuid[]`;
  const pinnedJson = JSON.stringify(pinned.map((p) => ({ j: p.journey, v: p.version })));
  const [row] = (await executePrepared(tx, sql`select ${contextColumns(ids, sql`select p.j, p.v from jsonb_to_recordset(${pinnedJson}::jsonb) as p(j text, v int)`)}`)) as unknown as [ContextRows];
  return contextFromRows(tx, workspaceIds, row);
}

/** Whether the context's versions include every version these instances are pinned to (by journey slug and version). */
export function coversPins(rows: ContextRows, pinned: { journey: string; version: number }[]): boolean {
  if (pinned.length === 0) return true;
  const have = new Set(rows.versions.map((r) => `${r.slug}\u0000${r.version}`));
  return pinned.every((p) => have.has(`${p.journey}\u0000${p.version}`));
}

const emptyContext = (workspaceIds: string[]): BatchContext => ({ programs: new Map(workspaceIds.map((w) => [w, []])), learned: new Map(), settings: new Map(), scoreModels: new Map(), channels: new Map() });

/**
 * The batch context from the context columns' values. Journey documents are
 * read (in a second statement) only for versions this process has not
 * compiled yet: published versions never change.
 */
export async function contextFromRows(tx: Queryable, workspaceIds: string[], row: ContextRows): Promise<BatchContext> {
  const context = emptyContext(workspaceIds);
  const missing = row.versions.filter((r) => !compiled.has(r.id)).map((r) => r.id);
  const documents = new Map<string, unknown>();
  if (missing.length > 0) {
    const docs = (await tx.execute(sql`select id, document from journey_versions where id in (${sql.join(
      missing.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`)) as unknown as { id: string; document: unknown }[];
    for (const d of docs) documents.set(d.id, d.document);
  }
  for (const r of row.versions) {
    try {
      const program = compileVersion(r.id, documents.get(r.id), r.version);
      context.programs.get(r.workspaceId)?.push({ program, acceptsEntries: r.current && r.status === "live", held: r.status === "paused" && r.pauseMode === "hold" });
    } catch {
      // A version that no longer compiles (a schema change) takes no entries; its instances exit as completed.
    }
  }
  for (const r of row.stats) {
    const stats = context.learned.get(r.workspaceId) ?? context.learned.set(r.workspaceId, {}).get(r.workspaceId)!;
    applyStatsUpdates(stats, [{ journey: r.journeyId, node: r.nodeId, bucket: r.bucket, handle: r.handle, n: Number(r.trials), s: Number(r.successes) }]);
  }
  for (const r of row.settings) {
    const parsed = workspaceSettingsSchema.safeParse(r.settings ?? {});
    context.settings.set(r.id, parsed.success ? parsed.data : defaultWorkspaceSettings);
  }
  for (const [workspaceId, models] of scoreModelsFromRows(row.models)) context.scoreModels.set(workspaceId, models);
  for (const c of row.channels) context.channels.set(`${c.workspaceId}\u0000${c.channel}`, c.config);
  return context;
}
