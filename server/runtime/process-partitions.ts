import type { Db } from "@/db/client";
import { emptyCustomerState, orchestrate, readStoredState, timersOf, type CustomerState, type StepInput } from "@/server/journey";
import { mergeOwn } from "@/server/journey/merge-own";
import { claimBatch, type ClaimedEvent, type ClaimedTimer } from "./claim-work";
import { LeaseLostError } from "./partition-lease";
import { applyStatsUpdates, statsUpdates } from "@/server/decisions/learning";
import { askModel, modelProviderFromEnv, type ModelProvider, type ModelRequest } from "@/server/decisions/model-provider";
import type { ModelAnswer } from "@/server/decisions/policies";
import { addDeltas, learn, type ScoreModels } from "@/server/scores/model";
import type { DecisionConfig } from "@/server/journey/node-kinds/decision";
import type { LiveProgram } from "@/server/journey/step-types";
import { contextFromRows, coversPins, defaultWorkspaceSettings, loadBatchContext } from "./load-programs";
import { writeOutcomes, type CustomerOutcome, type LeasedMessage, type StepFailure } from "./write-outcomes";
import { providerFromStored, type ChannelProvider, type UnusableChannel } from "@/server/channels/channel-settings";
import { storableText } from "@/server/journey/unstorable-text";

/** At most this many overdue timers are caught up per customer in one batch (the rest in the next). */
const maxCatchUp = 100;

type Work = { workspaceId: string; customerId: string; events: ClaimedEvent[]; timers: ClaimedTimer[] };

/** How long a timer whose step threw waits before it is tried again (it would otherwise come due again at once, every batch). */
export const failedTimerRetryMs = 3_600_000;

/**
 * One runtime batch, in ONE transaction: claim events and due timers of the
 * held partitions, load those customers' states, run the pure orchestrator on
 * each customer's inputs in time order (timers due at or before an event fire
 * first), then write states, timers, outbox, step log and counters; the claim
 * took the events off the queue. A crash anywhere rolls all of it back, so an
 * accepted event is processed exactly once and no message is queued twice.
 * Returns how many inputs it handled, counting queue rows whose event was gone
 * (so a worker keeps going through a backlog of those at full speed).
 */
export type ProcessOptions = {
  batchSize: number;
  now?: () => Date;
  ai?: ModelProvider | null;
  /**
   * Writes the batch's messages already claimed for this long (see writeOutcomes) and hands them, once the batch has
   * committed, to `onCommitted` with their channels' settings as the batch read them: the worker sends them at once.
   */
  leaseMessagesMs?: number;
  onCommitted?: (messages: LeasedMessage[], providerFor: (workspaceId: string, channel: string) => ChannelProvider | UnusableChannel) => void;
  /**
   * Told, once the batch has committed, when the held partitions' next timer is due (null: none): the earliest of the
   * timers after now at the claim and the timers the batch wrote. The worker wakes then. A timer that the batch deleted may still be named (the worker then wakes for nothing).
   */
  onNextTimer?: (due: Date | null) => void;
  /**
   * The backend pid of the worker's lease session (PartitionLease.pid): the claim checks that this session still holds
   * the partitions, once the batch holds their batch locks, and the batch stops (LeaseLostError) if not. Without it
   * (tests and tools running one process over every partition) there is no check.
   */
  leasePid?: number | null;
};

export async function processPartitions(db: Db, partitions: number[], opts: ProcessOptions): Promise<number> {
  if (partitions.length === 0) return 0;
  const { handled, leased, channels, nextDue } = await db.transaction(async (tx): Promise<{ handled: number; leased: LeasedMessage[]; channels?: Map<string, Record<string, unknown>>; nextDue: Date | null }> => {
    const now = opts.now?.() ?? new Date();
    const { claimed, fenced, events, due, early, states: storedStates, profiles: storedProfiles, nextDue: nextAtClaim, context } = await claimBatch(tx, { partitions, now, limit: opts.batchSize, leasePid: opts.leasePid });
    // The lease session no longer holds some of these partitions: nothing was claimed from those; the worker takes
    // partitions again (rolling this back costs nothing: the claim is all that ran).
    if (opts.leasePid && fenced.length < partitions.length) throw new LeaseLostError(partitions.filter((p) => !fenced.includes(p)));
    const gone = claimed - events.length;
    if (events.length === 0 && due.length === 0) return { handled: gone, leased: [], nextDue: nextAtClaim };

    const work = new Map<string, Work>();
    const workFor = (workspaceId: string, customerId: string) => {
      const k = `${workspaceId}\u0000${customerId}`;
      let w = work.get(k);
      if (!w) work.set(k, (w = { workspaceId, customerId, events: [], timers: [] }));
      return w;
    };
    for (const e of events) workFor(e.workspaceId, e.customerId).events.push(e);
    const seenTimers = new Set<number>();
    // Timers of these customers that are due before their latest event fire first (claimBatch's `early`: those also due by the clock).
    for (const t of [...due, ...early]) {
      if (seenTimers.has(t.id)) continue;
      seenTimers.add(t.id);
      workFor(t.workspaceId, t.customerId).timers.push(t);
    }

    const list = [...work.values()];
    const states = new Map<string, CustomerState>();
    const unreadable = new Set<string>();
    const profiles = new Map<string, { traits: Record<string, unknown>; unsubscribed: boolean }>();
    for (const r of storedStates) {
      const key = `${r.workspaceId}\u0000${r.customerId}`;
      const state = readStoredState(r.state);
      // A stored state that is not one is not silently replaced by a fresh one: the customer's entry counts would start
      // over, their new instances would reuse old ids, and the outbox (unique per key) would drop their messages
      // without a word. Their inputs fail instead, on their timeline, until someone looks (runCustomer).
      if (state) states.set(key, state);
      else unreadable.add(key);
    }
    for (const p of storedProfiles) profiles.set(`${p.workspaceId}\u0000${p.customerId}`, { traits: p.traits, unsubscribed: p.unsubscribed });
    // (A stored state that is not one fails its customer's steps below, not the batch here.)
    const pinned = [...states.values()].flatMap((s) =>
      (Array.isArray(s.instances) ? (s.instances as unknown[]) : [])
        .filter((i): i is { journey: string; version?: number | null } => i !== null && typeof i === "object" && typeof (i as { journey?: unknown }).journey === "string")
        .map((i) => ({ journey: i.journey, version: i.version ?? 0 })),
    );
    const workspaceIds = [...new Set(list.map((w) => w.workspaceId))];
    // The claim read the context for the pins it found in the stored states; a pin it could not read (a state in an
    // older format) is loaded on its own.
    const { programs, learned, settings, scoreModels, channels } = coversPins(context, pinned) ? await contextFromRows(tx, workspaceIds, context) : await loadBatchContext(tx, workspaceIds, pinned);
    const heldJourneys = new Map(workspaceIds.map((ws) => [ws, new Set((programs.get(ws) ?? []).filter((p) => p.held).map((p) => p.program.id))]));

    const modelChoices: Record<string, ModelAnswer> = {};
    const run = () => {
      const learnedNow = structuredClone(learned);
      const scoreModelsNow = structuredClone(scoreModels);
      const scoreDeltas = new Map<string, ScoreModels>();
      const outcomes: CustomerOutcome[] = [];
      const failures: StepFailure[] = [];
      const postponed: number[] = [];
      let handled = 0;
      for (const w of list) {
        const recorded = failures.length;
        try {
          handled += runCustomer(w, outcomes, failures, postponed, learnedNow, scoreModelsNow, scoreDeltas);
        } catch (err) {
          failures.length = recorded;
          // Not a step that threw (those are caught one by one below): the customer's stored state itself could not be
          // read as one (hand-edited, or written by a bug). Every input of theirs is recorded as failed, their events are
          // taken off the queue, their timers wait an hour, and their state and timers are left as they are; the batch goes
          // on for everyone else.
          for (const e of w.events) failures.push(failureOf(w, eventLabel(e), e.timestamp.toISOString(), err));
          for (const t of w.timers) {
            failures.push(failureOf(w, timerLabel(t), t.dueAt.toISOString(), err));
            postponed.push(t.id);
          }
          handled += w.events.length + w.timers.length;
        }
      }
      return { outcomes, handled, scoreDeltas, failures, postponed };
    };
    const runCustomer = (
      w: Work,
      outcomes: CustomerOutcome[],
      failures: StepFailure[],
      postponed: number[],
      learnedNow: typeof learned,
      scoreModelsNow: typeof scoreModels,
      scoreDeltas: Map<string, ScoreModels>,
    ): number => {
      let handled = 0;
      const key = `${w.workspaceId}\u0000${w.customerId}`;
      if (unreadable.has(key)) {
        throw new Error("the customer's stored state is not one this version can read; to start them afresh, delete their row in customer_states");
      }
      const profile = profiles.get(key);
      let state: CustomerState = states.get(key) ?? emptyCustomerState();
      state = { ...state, traits: { ...state.traits, ...(profile?.traits ?? {}) } };
      const inputs: { at: number; order: number; input: StepInput | null; what: string; timer?: ClaimedTimer }[] = [
        ...w.timers.map((t) => ({ at: t.dueAt.getTime(), order: 0, input: timerInput(t), what: timerLabel(t), timer: t })),
        ...w.events.map((e) => ({
          at: e.timestamp.getTime(),
          order: 1,
          what: eventLabel(e),
          input: { kind: "event" as const, event: { id: String(e.id), type: e.type, name: e.name, properties: e.properties, traits: e.traits, timestamp: e.timestamp.toISOString() } },
        })),
      ].sort((a, b) => a.at - b.at || a.order - b.order);
      // Until a step runs, the customer's timers are those of their stored state: the write replaces a customer's
      // timers by this set, so a customer whose only inputs were unusable timers (a payload this code cannot read)
      // keeps every wait and loses only those.
      const claimedWakes = w.timers.filter((t) => (t.payload as { wake?: unknown } | null)?.wake === true).map((t) => t.id);
      const outcome: CustomerOutcome = { workspaceId: w.workspaceId, customerId: w.customerId, state, effects: [], timers: timersOf(state, heldJourneys.get(w.workspaceId)), traitUpdates: {}, claimedWakes };
      /**
       * A timer whose step failed waits an hour (it stays due otherwise, and comes back in every batch). An instance's
       * timer is moved in the state itself (the wait's end), since a customer's timers are a function of their state:
       * moved only in the batch's set of timers, the customer's next input, in this batch or a later one, put it back
       * where it was, and it failed again at every input. Otherwise (a state whose instances cannot be read) it is moved
       * in the set; a claimed one the set does not hold (a resume's wake-up), by its id.
       */
      const postpone = (timer: { key: string; id?: number }, at: string, instanceId?: string) => {
        const retryAt = new Date(Math.max(now.getTime(), Date.parse(at)) + failedTimerRetryMs).toISOString();
        if (instanceId !== undefined) {
          try {
            let moved = false;
            const instances = outcome.state.instances.map((i) => {
              if (i.id !== instanceId || !i.waiting) return i;
              moved = true;
              return { ...i, waiting: { ...i.waiting, until: retryAt } };
            });
            if (moved) {
              // A new state and instance: the stored state is read again when the batch runs again for a model's answers.
              outcome.state = { ...outcome.state, instances };
              outcome.timers = timersOf(outcome.state, heldJourneys.get(w.workspaceId));
              return;
            }
          } catch {
            // Instances that are not a list: moved in the set below.
          }
        }
        const wake = timer.id === undefined ? -1 : claimedWakes.indexOf(timer.id);
        if (outcome.timers.some((t) => t.key === timer.key)) outcome.timers = outcome.timers.map((t) => (t.key === timer.key ? { ...t, dueAt: retryAt } : t));
        else if (wake >= 0) postponed.push(...claimedWakes.splice(wake, 1));
      };
      /**
       * Runs one input (`timer`: its timer, a claimed row with its id or one of the steps' own); false if its step threw
       * (recorded: the customer goes on from the state before it). A journey's part that threw is recorded too, and the
       * others go on (orchestrate's `failures`).
       */
      const apply = (input: StepInput, what: string, timer?: { key: string; id?: number }): boolean => {
        let res: ReturnType<typeof orchestrate>;
        const at = input.kind === "event" ? input.event.timestamp : input.at;
        try {
          res = orchestrate(programs.get(w.workspaceId) ?? [], outcome.state, input, {
            customerId: w.customerId,
            seed: w.workspaceId,
            workspace: settings.get(w.workspaceId) ?? defaultWorkspaceSettings,
            unsubscribed: profile?.unsubscribed ?? false,
            decisionStats: learnedNow.get(w.workspaceId),
            scoreModels: scoreModelsNow.get(w.workspaceId),
            modelChoices,
          });
        } catch (err) {
          // A bug, or an input the engine cannot handle: this one input fails, not the batch. Thrown again at every
          // retry, it would roll back every customer of the batch each time and stop the worker's partitions for good.
          failures.push(failureOf(w, what, at, err));
          if (timer) postpone(timer, at, input.kind === "timer" ? input.instanceId : undefined);
          handled++;
          return false;
        }
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
        mergeOwn(outcome.traitUpdates, res.traitUpdates);
        if (res.failures.length > 0) {
          // Journeys whose part threw were left out of this step (their instances as they were); the others went on.
          for (const f of res.failures) failures.push(failureOf(w, what, at, f.error, f.journey, f.version));
          // An instance's timer runs only its own journey, so a failure is that journey's: the timer is still due, and
          // waits an hour, as when a whole step fails.
          if (timer && input.kind === "timer") postpone(timer, at, input.instanceId);
        }
        handled++;
        return true;
      };
      for (const { input, what, timer } of inputs) if (input) apply(input, what, timer);
      // Catch up timers the steps left already due (a backfilled event's waits, a silence's daily
      // scoring ticks) here, in due order, rather than one per batch.
      for (let n = 0; n < maxCatchUp; n++) {
        const next = outcome.timers.filter((t) => Date.parse(t.dueAt) <= now.getTime()).sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
        if (!next) break;
        apply("score" in next ? { kind: "score", at: next.dueAt } : { kind: "timer", instanceId: next.instanceId, seq: next.seq, at: next.dueAt }, timerLabel(next), next);
      }
      outcomes.push(outcome);
      return handled;
    };

    // `model` decisions: the engine is pure, so the batch runs, the model is asked (in parallel) for
    // every decision that needs an answer, and the batch runs again with the answers, a few rounds at most.
    let { outcomes, handled, scoreDeltas, failures, postponed } = run();
    const provider = opts.ai === undefined ? modelProviderFromEnv() : opts.ai;
    for (let round = 0; provider && round < 3; round++) {
      const asks = modelRequests(outcomes, programs, modelChoices);
      if (asks.length === 0) break;
      const answers = await Promise.all(asks.map((a) => askModel(provider, a.request)));
      asks.forEach((a, i) => (modelChoices[a.key] = answers[i]!));
      ({ outcomes, handled, scoreDeltas, failures, postponed } = run());
    }
    // The lowest partition held: no other worker holds it now, so no other batch writes analytics rows under it.
    for (const f of failures) console.error(`[runtime] ${f.workspaceId} customer ${JSON.stringify(f.customerId)}: ${f.input}${f.journeyId ? ` in journey ${f.journeyId}` : ""} failed (${f.error}); recorded in the step log, the batch goes on`);
    const leased = await writeOutcomes(tx, outcomes, { scoreDeltas, leaseMessagesMs: opts.onCommitted ? opts.leaseMessagesMs : undefined, shard: Math.min(...partitions), failures, postponeTimers: postponed.length ? { ids: postponed, until: new Date(now.getTime() + failedTimerRetryMs) } : undefined });
    // A claim that came back full of due timers leaves more due now (handled may count fewer: unusable timers).
    let nextDue = due.length >= opts.batchSize ? now : nextAtClaim;
    for (const o of outcomes) {
      for (const t of o.timers) {
        const at = new Date(t.dueAt);
        if (!nextDue || at < nextDue) nextDue = at;
      }
    }
    return { handled: handled + gone, leased, channels, nextDue };
  });
  opts.onNextTimer?.(nextDue);
  if (leased.length > 0 && opts.onCommitted) opts.onCommitted(leased, (w, channel) => providerFromStored(channels?.get(`${w}\u0000${channel}`), w, channel));
  return handled;
}

/** How a failed input is named in the step log and the worker's log. */
const eventLabel = (e: ClaimedEvent) => `event ${e.id} (${e.name})`;
const timerLabel = (t: { key: string }) => `timer ${t.key}`;

function failureOf(w: Work, input: string, at: string, err: unknown, journeyId?: string, version?: number | null): StepFailure {
  const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  // Cut to a length, then made storable: a cut through an emoji leaves half of it, which jsonb refuses (the batch's write would fail).
  return { workspaceId: w.workspaceId, customerId: w.customerId, at, input, error: storableText(error.slice(0, 500)), ...(journeyId === undefined ? {} : { journeyId, version: version ?? null }) };
}

function timerInput(t: ClaimedTimer): StepInput | null {
  const p = t.payload as { instanceId?: string; seq?: number; score?: boolean; wake?: boolean };
  if (p.score === true) return { kind: "score", at: t.dueAt.toISOString() };
  if (p.wake === true) return { kind: "wake", at: t.dueAt.toISOString() };
  if (typeof p.instanceId !== "string" || typeof p.seq !== "number") return null;
  return { kind: "timer", instanceId: p.instanceId, seq: p.seq, at: t.dueAt.toISOString() };
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
