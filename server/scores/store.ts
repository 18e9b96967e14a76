import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { emptyModel, featureNames, scoreNames, type ScoreModels, type ScoreName } from "./model";

/** A stored row: one feature of one score model of a workspace. */
export type ScoreModelRow = { workspaceId: string; score: string; feature: string; learned: number; sqGrad: number; examples: number | string; positives: number | string };

/** Rows back into models (unknown scores or features, from an older or newer code, are ignored). */
export function scoreModelsFromRows(rows: ScoreModelRow[]): Map<string, ScoreModels> {
  const out = new Map<string, ScoreModels>();
  for (const r of rows) {
    const i = featureNames.indexOf(r.feature as (typeof featureNames)[number]);
    if (i < 0 || !scoreNames.includes(r.score as ScoreName)) continue;
    const models = out.get(r.workspaceId) ?? out.set(r.workspaceId, {}).get(r.workspaceId)!;
    const m = (models[r.score as ScoreName] ??= emptyModel());
    m.learned[i] = Number(r.learned);
    m.sqGrad[i] = Number(r.sqGrad);
    // Every example touches every feature, so any row's counts are the model's.
    m.examples = Math.max(m.examples, Number(r.examples));
    m.positives = Math.max(m.positives, Number(r.positives));
  }
  return out;
}

/**
 * A batch's increments as rows (workspace, score, feature) for the runtime's
 * one write statement (server/runtime/write-outcomes.ts), which adds them to
 * the stored rows in key order. A score with no examples this batch adds nothing.
 */
export function scoreModelIncrementRows(deltas: Map<string, ScoreModels> | undefined) {
  return [...(deltas ?? [])].flatMap(([w, models]) =>
    scoreNames.flatMap((score) => {
      const d = models[score];
      if (!d || d.examples === 0) return [];
      // JSON has no NaN or Infinity (they would arrive as null and fail the whole batch, again at every retry): such an
      // increment adds nothing.
      const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : 0);
      return featureNames.map((feature, i) => ({ w, score, feature, learned: finite(d.learned[i]), sq_grad: finite(d.sqGrad[i]), examples: d.examples, positives: d.positives }));
    }),
  );
}

/** A workspace's models as stored (the priors where nothing was learned yet). */
export async function getScoreModels(db: Db, workspaceId: string): Promise<ScoreModels> {
  const rows = (await db.execute(sql`
    select workspace_id as "workspaceId", score, feature, learned, sq_grad as "sqGrad", examples, positives from score_models where workspace_id = ${workspaceId}::uuid`)) as unknown as ScoreModelRow[];
  return scoreModelsFromRows(rows).get(workspaceId) ?? {};
}
