import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customerStateSchema, emptyCustomerState, orchestrate, type CustomerState, type StepInput } from "@/server/journey";
import { claimCustomerTimersBefore, claimDueTimers, claimEvents, type ClaimedEvent, type ClaimedTimer } from "./claim-work";
import { applyStatsUpdates, statsUpdates, type DecisionStats } from "@/server/decisions/learning";
import { askModel, modelProviderFromEnv, type ModelProvider, type ModelRequest } from "@/server/decisions/model-provider";
import type { ModelAnswer } from "@/server/decisions/policies";
import { addDeltas, learn, type ScoreModels } from "@/server/scores/model";
import { scoreModelsFromRows, type ScoreModelRow } from "@/server/scores/store";
import type { DecisionConfig } from "@/server/journey/node-kinds/decision";
import { workspaceSettingsSchema, type WorkspaceSettings } from "@/server/journey/schema";
import type { LiveProgram } from "@/server/journey/step-types";
import { loadPrograms } from "./load-programs";
import { writeOutcomes, type CustomerOutcome } from "./write-outcomes";

/** At most this many overdue timers are caught up per customer in one batch (the rest in the next). */
const maxCatchUp = 100;

type Work = { workspaceId: string; customerId: string; events: ClaimedEvent[]; timers: ClaimedTimer[] };

/**
 * One runtime batch, in ONE transaction: claim events and due timers of the
 * held partitions, load those customers' states, run the pure orchestrator on
 * each customer's inputs in time order (timers due at or before an event fire
 * first), then write states, timers, outbox, step log and counters, and mark
 * the events processed. A crash anywhere rolls all of it back, so an accepted
 * event is processed exactly once and no message is queued twice.
 * Returns how many inputs it handled.
 */
export async function processPartitions(db: Db, partitions: number[], opts: { batchSize: number; now?: () => Date; ai?: ModelProvider | null }): Promise<number> {
  if (partitions.length === 0) return 0;
  return db.transaction(async (tx) => {
    const now = opts.now?.() ?? new Date();
    const events = await claimEvents(tx, partitions, opts.batchSize);
    const due = await claimDueTimers(tx, { partitions, now, limit: opts.batchSize });
    if (events.length === 0 && due.length === 0) return 0;

    const work = new Map<string, Work>();
    const workFor = (workspaceId: string, customerId: string) => {
      const k = `${workspaceId}\u0000${customerId}`;
      let w = work.get(k);
      if (!w) work.set(k, (w = { workspaceId, customerId, events: [], timers: [] }));
      return w;
    };
    for (const e of events) workFor(e.workspaceId, e.customerId).events.push(e);
    const seenTimers = new Set(due.map((t) => t.id));
    for (const t of due) workFor(t.workspaceId, t.customerId).timers.push(t);
    // Timers of these customers that are due before their latest event fire first, even if not yet due by the clock.
    const withEvents = [...work.values()].filter((w) => w.events.length > 0);
    const early = await claimCustomerTimersBefore(
      tx,
      withEvents.map((w) => ({ workspaceId: w.workspaceId, customerId: w.customerId, until: new Date(Math.max(...w.events.map((e) => e.timestamp.getTime()))) })),
    );
    for (const t of early) {
      if (seenTimers.has(t.id)) continue;
      seenTimers.add(t.id);
      workFor(t.workspaceId, t.customerId).timers.push(t);
    }

    const list = [...work.values()];
    const states = await loadStates(tx, list);
    const profiles = await loadProfiles(tx, list);
    const pinned = [...states.values()].flatMap((s) => s.instances.map((i) => ({ workspaceId: "", journey: i.journey, version: i.version ?? 0 })));
    const workspaceIds = [...new Set(list.map((w) => w.workspaceId))];
    const programs = await loadPrograms(tx, workspaceIds, pinned);
    const learned = await loadDecisionStats(tx, workspaceIds);
    const settings = await loadWorkspaceSettings(tx, workspaceIds);
    const scoreModels = await loadScoreModels(tx, workspaceIds);

    const modelChoices: Record<string, ModelAnswer> = {};
    const run = () => {
      const learnedNow = structuredClone(learned);
      const scoreModelsNow = structuredClone(scoreModels);
      const scoreDeltas = new Map<string, ScoreModels>();
      const outcomes: CustomerOutcome[] = [];
      let handled = 0;
      for (const w of list) {
        const key = `${w.workspaceId}\u0000${w.customerId}`;
        const profile = profiles.get(key);
        let state: CustomerState = states.get(key) ?? emptyCustomerState();
        state = { ...state, traits: { ...state.traits, ...(profile?.traits ?? {}) } };
        const inputs: { at: number; order: number; input: StepInput | null }[] = [
          ...w.timers.map((t) => ({ at: t.dueAt.getTime(), order: 0, input: timerInput(t) })),
          ...w.events.map((e) => ({
            at: e.timestamp.getTime(),
            order: 1,
            input: { kind: "event" as const, event: { id: String(e.id), type: e.type, name: e.name, properties: e.properties, traits: e.traits, timestamp: e.timestamp.toISOString() } },
          })),
        ].sort((a, b) => a.at - b.at || a.order - b.order);
        const outcome: CustomerOutcome = { workspaceId: w.workspaceId, customerId: w.customerId, state, effects: [], timers: [], traitUpdates: {} };
        const apply = (input: StepInput) => {
          const res = orchestrate(programs.get(w.workspaceId) ?? [], outcome.state, input, {
            customerId: w.customerId,
            seed: w.workspaceId,
            workspace: settings.get(w.workspaceId) ?? defaultWorkspaceSettings,
            unsubscribed: profile?.unsubscribed ?? false,
            decisionStats: learnedNow.get(w.workspaceId),
            scoreModels: scoreModelsNow.get(w.workspaceId),
            modelChoices,
          });
          if (res.scoreExamples.length) {
            const models = scoreModelsNow.get(w.workspaceId) ?? scoreModelsNow.set(w.workspaceId, {}).get(w.workspaceId)!;
            addDeltas(scoreDeltas.get(w.workspaceId) ?? scoreDeltas.set(w.workspaceId, {}).get(w.workspaceId)!, learn(models, res.scoreExamples));
          }
          // Later customers of this batch see what earlier ones taught (as the simulator does).
          const updates = statsUpdates(res.effects);
          if (updates.length) applyStatsUpdates(learnedNow.get(w.workspaceId) ?? learnedNow.set(w.workspaceId, {}).get(w.workspaceId)!, updates);
          outcome.state = res.state;
          outcome.effects.push(...res.effects);
          outcome.timers = res.timers;
          Object.assign(outcome.traitUpdates, res.traitUpdates);
          handled++;
        };
        for (const { input } of inputs) if (input) apply(input);
        // Catch up timers the steps left already due (a backfilled event's waits, a silence's daily
        // scoring ticks) here, in due order, rather than one per batch.
        for (let n = 0; n < maxCatchUp; n++) {
          const next = outcome.timers.filter((t) => Date.parse(t.dueAt) <= now.getTime()).sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
          if (!next) break;
          apply("score" in next ? { kind: "score", at: next.dueAt } : { kind: "timer", instanceId: next.instanceId, seq: next.seq, at: next.dueAt });
        }
        outcomes.push(outcome);
      }
      return { outcomes, handled, scoreDeltas };
    };

    // `model` decisions: the engine is pure, so the batch runs, the model is asked (in parallel) for
    // every decision that needs an answer, and the batch runs again with the answers, a few rounds at most.
    let { outcomes, handled, scoreDeltas } = run();
    const provider = opts.ai === undefined ? modelProviderFromEnv() : opts.ai;
    for (let round = 0; provider && round < 3; round++) {
      const asks = modelRequests(outcomes, programs, modelChoices);
      if (asks.length === 0) break;
      const answers = await Promise.all(asks.map((a) => askModel(provider, a.request)));
      asks.forEach((a, i) => (modelChoices[a.key] = answers[i]!));
      ({ outcomes, handled, scoreDeltas } = run());
    }
    await writeOutcomes(tx, outcomes, { scoreDeltas, processedEventIds: events.map((e) => Number(e.id)) });
    return handled;
  });
}

function timerInput(t: ClaimedTimer): StepInput | null {
  const p = t.payload as { instanceId?: string; seq?: number; score?: boolean; wake?: boolean };
  if (p.score === true) return { kind: "score", at: t.dueAt.toISOString() };
  if (p.wake === true) return { kind: "wake", at: t.dueAt.toISOString() };
  if (typeof p.instanceId !== "string" || typeof p.seq !== "number") return null;
  return { kind: "timer", instanceId: p.instanceId, seq: p.seq, at: t.dueAt.toISOString() };
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

async function loadStates(tx: Tx, list: Work[]): Promise<Map<string, CustomerState>> {
  const out = new Map<string, CustomerState>();
  if (list.length === 0) return out;
  const rows = (await tx.execute(sql`
    select workspace_id as "workspaceId", customer_id as "customerId", state from customer_states
    where (workspace_id, customer_id) in (${sql.join(list.map((w) => sql`(${w.workspaceId}::uuid, ${w.customerId})`), sql`, `)})
    for update`)) as unknown as { workspaceId: string; customerId: string; state: unknown }[];
  for (const r of rows) {
    const parsed = customerStateSchema.safeParse(r.state);
    out.set(`${r.workspaceId}\u0000${r.customerId}`, parsed.success ? parsed.data : emptyCustomerState());
  }
  return out;
}

async function loadProfiles(tx: Tx, list: Work[]): Promise<Map<string, { traits: Record<string, unknown>; unsubscribed: boolean }>> {
  const out = new Map<string, { traits: Record<string, unknown>; unsubscribed: boolean }>();
  if (list.length === 0) return out;
  const rows = (await tx.execute(sql`
    select workspace_id as "workspaceId", customer_id as "customerId", traits, unsubscribed from customers
    where (workspace_id, customer_id) in (${sql.join(list.map((w) => sql`(${w.workspaceId}::uuid, ${w.customerId})`), sql`, `)})`)) as unknown as {
    workspaceId: string;
    customerId: string;
    traits: Record<string, unknown>;
    unsubscribed: boolean;
  }[];
  for (const r of rows) out.set(`${r.workspaceId}\u0000${r.customerId}`, { traits: r.traits, unsubscribed: r.unsubscribed });
  return out;
}

/** The `model` decisions of a run that have no answer yet, with what the prompt needs. */
function modelRequests(outcomes: CustomerOutcome[], programs: Map<string, LiveProgram[]>, answered: Record<string, ModelAnswer>): { key: string; request: ModelRequest }[] {
  const out: { key: string; request: ModelRequest }[] = [];
  for (const o of outcomes) {
    for (const e of o.effects) {
      if (e.type !== "decision" || e.decision?.policy !== "model" || e.reason !== "model_unavailable" || answered[e.key] || !e.node) continue;
      const program = programs.get(o.workspaceId)?.find((p) => p.program.id === e.journey && p.program.version === e.version)?.program;
      const config = program?.nodes.get(e.node)?.config as DecisionConfig | undefined;
      if (!config) continue;
      out.push({
        key: e.key,
        request: {
          journey: e.journey,
          node: e.node,
          options: config.options.filter((x) => e.decision!.eligible.includes(x.handle)).map((x) => ({ handle: x.handle, label: x.label, channel: x.channel })),
          features: e.decision.features,
          traits: o.state.traits,
          scores: o.state.lastScores,
        },
      });
    }
  }
  return out;
}

const defaultWorkspaceSettings: WorkspaceSettings = workspaceSettingsSchema.parse({});

/** Each workspace's limits across journeys; a stored value that no longer parses counts as none (and is refused on save). */
async function loadWorkspaceSettings(tx: Tx, workspaceIds: string[]): Promise<Map<string, WorkspaceSettings>> {
  const out = new Map<string, WorkspaceSettings>();
  if (workspaceIds.length === 0) return out;
  const rows = (await tx.execute(sql`select id, settings from workspaces where id in (${sql.join(workspaceIds.map((id) => sql`${id}::uuid`), sql`, `)})`)) as unknown as { id: string; settings: unknown }[];
  for (const r of rows) {
    const parsed = workspaceSettingsSchema.safeParse(r.settings ?? {});
    out.set(r.id, parsed.success ? parsed.data : defaultWorkspaceSettings);
  }
  return out;
}

/** Every decision node's learned counts for these workspaces (small: nodes × buckets × options). */
async function loadDecisionStats(tx: Tx, workspaceIds: string[]): Promise<Map<string, DecisionStats>> {
  const out = new Map<string, DecisionStats>();
  if (workspaceIds.length === 0) return out;
  const rows = (await tx.execute(sql`
    select workspace_id as "workspaceId", journey_id as "journeyId", node_id as "nodeId", bucket, handle, trials, successes from decision_stats
    where workspace_id in (${sql.join(workspaceIds.map((id) => sql`${id}::uuid`), sql`, `)})`)) as unknown as {
    workspaceId: string;
    journeyId: string;
    nodeId: string;
    bucket: string;
    handle: string;
    trials: string | number;
    successes: string | number;
  }[];
  for (const r of rows) {
    const stats = out.get(r.workspaceId) ?? out.set(r.workspaceId, {}).get(r.workspaceId)!;
    applyStatsUpdates(stats, [{ journey: r.journeyId, node: r.nodeId, bucket: r.bucket, handle: r.handle, n: Number(r.trials), s: Number(r.successes) }]);
  }
  return out;
}

/** Each workspace's predictive score models (a few rows per workspace: scores × features). */
async function loadScoreModels(tx: Tx, workspaceIds: string[]): Promise<Map<string, ScoreModels>> {
  const out = new Map<string, ScoreModels>();
  if (workspaceIds.length === 0) return out;
  const rows = (await tx.execute(sql`
    select workspace_id as "workspaceId", score, feature, learned, sq_grad as "sqGrad", examples, positives from score_models
    where workspace_id in (${sql.join(workspaceIds.map((id) => sql`${id}::uuid`), sql`, `)})`)) as unknown as ScoreModelRow[];
  for (const [workspaceId, models] of scoreModelsFromRows(rows)) out.set(workspaceId, models);
  return out;
}

/** Fires due timers of the held partitions (a batch with no events), and says when the next one is due. */
export { nextTimerDue } from "./claim-work";
