import type { CompiledTrigger, Program } from "./compile";
import { resolvePath, textOf } from "./conditions";
import { addDuration } from "./durations";
import { unitHash } from "./hash";
import { isCanonicalIso, isoOf, parseIso, parseNewIso } from "./iso";
import { advance, exitInstance, sinceEntry, StepRun } from "./advance";
import { customerTimezone, scopeFor } from "./scope";
import { emptyCustomerState, noScores, stateLimits, type CustomerState, type Instance } from "./state";
import type { Effect, EngineEvent, LiveProgram, StepContext, StepInput, Timer } from "./step-types";
import { copyActivity, defaultScoringSettings, emptyActivity, onEvent, onTick, scoresAt, type ScoringResult } from "@/server/scores/activity";
import { append } from "./append";
import { mergeOwn } from "./merge-own";
import { countKeys } from "./keys";

export { customerTimezone, scopeFor };

/**
 * orchestrate(programs, state, input, ctx) → { state, effects, timers }: the
 * whole of one customer's reaction to one input, across every live journey, in
 * the spec's order. Pure: reads only its arguments, returns new data.
 *
 * Handling one event: the goal first, then negative triggers of the journeys
 * the customer is in, then wait_for_event nodes waiting for it, then entries
 * (triggers) in priority order (ties by journey id). A timer resumes the one
 * instance that set it (if it still waits on that transition).
 *
 * One journey's failure is its own (`failures`): when a journey's part of the
 * step throws (a bug, or an instance stored in a shape this version cannot
 * handle), the input is handled again from the state as it came in, with that
 * journey's version left out: its instances stay exactly as they were (their
 * timers too) and it takes no entry, while the other journeys (and the other
 * versions of that one), the customer's activity and the lookback go on as if
 * it had not been there. Without this, a customer's every input failed whole,
 * for every journey they were in, until someone repaired the one. What throws
 * outside any journey's part (a stored state that is not one) still throws.
 */
export function orchestrate(programs: LiveProgram[], stateIn: CustomerState | null, input: StepInput, ctx: StepContext): StepResult {
  const index = indexOf(programs);
  try {
    return stepAll(stateIn, input, ctx, index, noFailures);
  } catch (err) {
    if (!(err instanceof JourneyStepError)) throw err;
    const failures: JourneyFailure[] = [];
    const left = new Set<string>();
    for (let e = err; ; ) {
      left.add(versionKey(e.journey, e.version));
      failures.push({ journey: e.journey, version: e.version, error: e.failure });
      try {
        return stepAll(stateIn, input, ctx, without(index, left), failures);
      } catch (again) {
        // A journey already left out cannot throw again; if something did, it is not one journey's failure.
        if (!(again instanceof JourneyStepError) || left.has(versionKey(again.journey, again.version))) throw again;
        e = again;
      }
    }
  }
}

/** A journey whose part of a step threw, left out of that step (see orchestrate), and what it threw. */
export type JourneyFailure = { journey: string; version: number | null; error: unknown };
const noFailures: readonly JourneyFailure[] = Object.freeze([]);

export type StepResult = {
  state: CustomerState;
  effects: Effect[];
  timers: Timer[];
  traitUpdates: Record<string, unknown>;
  scoreExamples: ScoringResult["examples"];
  failures: readonly JourneyFailure[];
};

/** What one journey's part of a step threw, with the journey (orchestrate leaves it out and handles the input again). */
class JourneyStepError extends Error {
  constructor(
    readonly journey: string,
    readonly version: number | null,
    readonly failure: unknown,
  ) {
    super(`journey ${journey}: ${failure instanceof Error ? failure.message : String(failure)}`);
  }
}
/** `err` as thrown by the part of journey (journey, version): a JourneyStepError (the first one named stays). */
function journeyError(journey: string, version: number | null, err: unknown): JourneyStepError {
  return err instanceof JourneyStepError ? err : new JourneyStepError(journey, version, err);
}

function stepAll(stateIn: CustomerState | null, input: StepInput, ctx: StepContext, index: ProgramIndex, failures: readonly JourneyFailure[]): StepResult {
  // A customer seen for the first time starts from a fresh state: nothing to copy.
  const state = stateIn ? copyState(stateIn) : emptyCustomerState();
  const effects: Effect[] = [];
  const traitUpdates: Record<string, unknown> = {};
  const { programOf, movable } = index;
  const t = input.kind === "event" ? input.event.timestamp : input.at;
  const nowMs = parseNewIso(t);
  const nowIso = isCanonicalIso(t, nowMs) ? t : new Date(nowMs).toISOString();
  const scoring = score(state, input, ctx, nowMs);
  // Computed scores, overridden by any set from outside; conditions and predictive triggers read these.
  const scores = ctx.scores && !isEmpty(ctx.scores) ? { ...scoring.scores, ...ctx.scores } : (scoring.scores as Record<string, number>);
  const run = new StepRun(state, effects, ctx, scores, nowMs, nowIso, traitUpdates, input.kind === "event" ? input.event : undefined);

  if (input.kind === "timer") {
    const inst = state.instances.find((i) => i.id === input.instanceId);
    const program = inst && movable(inst);
    if (inst && program) {
      try {
        if (inst.waiting && inst.seq === input.seq && parseIso(inst.waiting.until) <= nowMs) resumeFromTimer(run, program, inst);
      } catch (err) {
        throw journeyError(inst.journey, inst.version, err);
      }
    }
  } else if (input.kind === "wake") {
    // Nothing to do: the timers below are recomputed from the state.
  } else if (input.kind === "score") {
    // Only predictive triggers can fire on a tick; the entry carries the scores as its properties.
    handleEntries(run, { id: `score:${input.at}`, type: "track", name: "$score", properties: { ...scores }, traits: {}, timestamp: nowIso }, index);
  } else {
    const event = input.event;
    if (event.type === "identify") mergeOwn(state.traits, event.traits);
    remember(run, event, index);
    if (state.instances.length > 0 || state.goalWatch.length > 0) {
      handleGoals(run, event, programOf);
      handleNegatives(run, event, movable);
      handleWaitingForEvent(run, event, movable);
    }
    handleEntries(run, event, index);
  }
  prune(state, nowMs);
  return { state, effects, timers: timersOf(state, index.held), traitUpdates, scoreExamples: scoring.examples, failures };
}

/**
 * What orchestrate looks up in the live programs, built once per programs array
 * (the runtime builds one per batch, the simulator one per run): an array must
 * not change once it has been handed to orchestrate.
 */
type ProgramIndex = {
  held: Set<string>;
  /** Programs taking entries, by priority (ties by journey id). */
  candidates: Program[];
  /** Event names any program looks back on. */
  remembered: Set<string>;
  /** The program an instance runs (its own version, else the journey's live one). */
  programOf: (inst: Instance) => Program | undefined;
  /** The same, but undefined for a held journey: its instances are frozen (no timer, event or negative trigger moves them; goals still count). */
  movable: (inst: Instance) => Program | undefined;
};
const indexes = new WeakMap<LiveProgram[], ProgramIndex>();
/** The last array's index: a batch hands the same array to every call, and this skips the WeakMap's lookup. */
let lastPrograms: LiveProgram[] | null = null;
let lastIndex: ProgramIndex | null = null;
function indexOf(programs: LiveProgram[]): ProgramIndex {
  if (programs === lastPrograms) return lastIndex!;
  let index = indexes.get(programs);
  if (!index) {
    // By journey, then version (no key text built per lookup: this runs for every instance in every handler).
    const byVersion = new Map<string, Map<number | null, Program>>();
    for (const p of programs) {
      let versions = byVersion.get(p.program.id);
      if (!versions) byVersion.set(p.program.id, (versions = new Map()));
      versions.set(p.program.version, p.program);
    }
    const byId = new Map(programs.map((p) => [p.program.id, p.program]));
    const held = new Set(programs.filter((p) => p.held).map((p) => p.program.id));
    const programOf = (inst: Instance) => byVersion.get(inst.journey)?.get(inst.version) ?? byId.get(inst.journey);
    index = {
      held,
      candidates: programs
        .filter((p) => p.acceptsEntries)
        .map((p) => p.program)
        .sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      remembered: new Set(programs.flatMap((p) => [...p.program.remembered])),
      programOf,
      movable: held.size === 0 ? programOf : (inst: Instance) => (held.has(inst.journey) ? undefined : programOf(inst)),
    };
    indexes.set(programs, index);
  }
  lastPrograms = programs;
  lastIndex = index;
  return index;
}

/**
 * The index with these journey versions (versionKey) left out: no entry, and their instances are frozen as they are
 * (their timers kept: `held` is unchanged). By version: stays pinned to an old version that fail on it do not keep the
 * live version (a repair, say) from taking entries.
 */
function without(index: ProgramIndex, left: ReadonlySet<string>): ProgramIndex {
  return {
    ...index,
    candidates: index.candidates.filter((p) => !left.has(versionKey(p.id, p.version))),
    programOf: (inst) => (left.has(versionKey(inst.journey, inst.version)) ? undefined : index.programOf(inst)),
    movable: (inst) => (left.has(versionKey(inst.journey, inst.version)) ? undefined : index.movable(inst)),
  };
}
const versionKey = (journey: string, version: number | null | undefined) => `${journey}\u0000${version ?? ""}`;

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

/** Updates the customer's activity for predictive scores and computes them (a timer input changes nothing there). */
function score(state: CustomerState, input: StepInput, ctx: StepContext, nowMs: number): ScoringResult {
  const settings = ctx.workspace.scoring ?? defaultScoringSettings;
  if (input.kind === "event" && input.event.type === "track") return onEvent(state.activity, input.event, settings, ctx.scoreModels, nowMs);
  if (input.kind === "score") return onTick(state.activity, nowMs, settings, ctx.scoreModels);
  return { scores: scoresAt(state.activity, nowMs, ctx.scoreModels), examples: [] };
}

function copyState(s: CustomerState): CustomerState {
  return {
    // The path is appended to as the instance moves: copied, so the caller's state (and an exit effect that hands it over) stays as it was.
    instances: s.instances.map(copyInstance),
    journeys: Object.fromEntries(Object.entries(s.journeys).map(([k, v]) => [k, { ...v }])),
    sent: [...s.sent],
    recent: [...s.recent],
    engagement: [...s.engagement],
    lastScores: { ...s.lastScores },
    activity: copyActivity(s.activity ?? emptyActivity()),
    traits: { ...s.traits },
    goalWatch: [...(s.goalWatch ?? [])],
  };
}

/** Field by field (a literal is several times quicker than a spread of a parsed object); `path` is copied too. */
function copyInstance(i: Instance): Instance {
  return {
    id: i.id,
    journey: i.journey,
    version: i.version,
    key: i.key,
    group: i.group,
    node: i.node,
    enteredAt: i.enteredAt,
    goalBy: i.goalBy,
    converted: i.converted,
    seq: i.seq,
    waiting: i.waiting,
    suppressUntil: i.suppressUntil,
    entryEvent: i.entryEvent,
    decisions: i.decisions,
    // (Not a list: an instance stored in a shape this version cannot handle. Left as it is, so that only its own
    // journey's steps fail on it, where they use it; see orchestrate.)
    path: Array.isArray(i.path) ? i.path.slice() : i.path,
  };
}

/** Timers are a function of the state: one per waiting instance (none for a held journey's), and the scoring tick. */
export function timersOf(state: CustomerState, heldJourneys: ReadonlySet<string> = noJourneys): Timer[] {
  let timers: Timer[] = [];
  for (const i of state.instances) if (i.waiting && !heldJourneys.has(i.journey)) timers = append(timers, { key: countKeys.key(i.id, i.seq), dueAt: i.waiting.until, instanceId: i.id, seq: i.seq });
  const tick = state.activity?.nextAt;
  if (tick != null) {
    const dueAt = isoOf(tick);
    timers = append(timers, { key: `score:${dueAt}`, dueAt, score: true });
  }
  return timers;
}
const noJourneys: ReadonlySet<string> = new Set();

function remember(run: StepRun, event: EngineEvent, index: ProgramIndex) {
  const state = run.state;
  if (index.remembered.has(event.name)) state.recent.push({ name: event.name, t: event.timestamp, properties: event.properties });
  const hour = run.hourIn(customerTimezone(null, state.traits));
  state.engagement[hour] = (state.engagement[hour] ?? 0) + 1;
}

/** An event reaches a keyed instance only if it carries the same key, or no key at all. */
function keyMatches(program: Program, inst: Instance, event: EngineEvent): boolean {
  if (inst.key === null) return true;
  const trigger = program.triggers.find((tr) => tr.config.key);
  if (!trigger?.config.key) return true;
  const v = resolvePath({ event: { name: event.name, properties: event.properties }, traits: {}, scores: {}, context: { hour: 0, dayOfWeek: 0 } }, trigger.config.key);
  return typeof v === "symbol" || v === null || textOf(v) === inst.key;
}

function handleGoals(run: StepRun, event: EngineEvent, programOf: (i: Instance) => Program | undefined) {
  for (const inst of [...run.state.instances]) {
    try {
      const program = programOf(inst);
      if (!program?.goal || program.goal.event !== event.name || inst.converted || !keyMatches(program, inst, event)) continue;
      if (inst.goalBy && parseIso(event.timestamp) > parseIso(inst.goalBy)) continue;
      inst.converted = true;
      run.effects.push({ t: event.timestamp, journey: inst.journey, version: inst.version, type: "goal", key: `${inst.id}:goal`, instance: inst.id, group: inst.group, ...(inst.decisions.length ? { rewards: inst.decisions } : {}), sinceEntryMs: sinceEntry(event.timestamp, inst.enteredAt) });
      if (program.goal.exitOnGoal) exitInstance(run, inst, "goal");
    } catch (err) {
      throw journeyError(inst.journey, inst.version, err);
    }
  }
  // Customers who already left, still inside their goal window.
  if (run.state.goalWatch.length === 0) return;
  const t = parseIso(event.timestamp);
  for (const w of [...run.state.goalWatch]) {
    try {
      const program = programOf({ journey: w.journey, version: w.version } as Instance);
      if (!program?.goal || program.goal.event !== event.name || parseIso(w.goalBy) < t) continue;
      run.state.goalWatch = run.state.goalWatch.filter((x) => x !== w);
      run.effects.push({ t: event.timestamp, journey: w.journey, version: w.version, type: "goal", key: `${w.instance}:goal`, instance: w.instance, group: w.group, ...(w.decisions.length ? { rewards: w.decisions } : {}), ...(w.enteredAt ? { sinceEntryMs: sinceEntry(event.timestamp, w.enteredAt) } : {}) });
    } catch (err) {
      throw journeyError(w.journey, w.version, err);
    }
  }
}

function handleNegatives(run: StepRun, event: EngineEvent, programOf: (i: Instance) => Program | undefined) {
  for (const inst of [...run.state.instances]) {
    const program = programOf(inst);
    if (!program || !run.state.instances.includes(inst)) continue;
    try {
      for (const neg of program.negatives) {
        if (neg.config.event !== event.name || !keyMatches(program, inst, event) || !neg.where(scopeFor(run, program, event))) continue;
        if (neg.suppress) inst.suppressUntil = isoOf(addDuration(run.now, neg.suppress, customerTimezone(program, run.state.traits)).getTime());
        if (neg.jumpTo && inst.group === "treatment") {
          inst.waiting = null;
          advance(run, program, inst, neg.jumpTo);
          break;
        }
        if (!neg.suppress) {
          exitInstance(run, inst, "negative_trigger", neg.nodeId);
          break;
        }
      }
    } catch (err) {
      throw journeyError(inst.journey, inst.version, err);
    }
  }
}

function handleWaitingForEvent(run: StepRun, event: EngineEvent, programOf: (i: Instance) => Program | undefined) {
  for (const inst of [...run.state.instances]) {
    const program = programOf(inst);
    if (!program || inst.waiting?.kind !== "event" || !run.state.instances.includes(inst)) continue;
    try {
      const node = program.nodes.get(inst.node);
      if (!node || node.kind !== "wait_for_event" || (node.config as { event: string }).event !== event.name) continue;
      if (!keyMatches(program, inst, event) || !program.waitPredicates.get(node.id)!(scopeFor(run, program, event))) continue;
      inst.waiting = null;
      advance(run, program, inst, node.next.event ?? null, node.id);
    } catch (err) {
      throw journeyError(inst.journey, inst.version, err);
    }
  }
}

function resumeFromTimer(run: StepRun, program: Program, inst: Instance) {
  const waiting = inst.waiting!;
  inst.waiting = null;
  const node = program.nodes.get(inst.node);
  switch (waiting.kind) {
    case "holdout":
      return exitInstance(run, inst, "holdout_complete");
    case "held":
      return advance(run, program, inst, inst.node, undefined, true);
    case "wait":
      return advance(run, program, inst, node?.next.next ?? null, inst.node);
    case "event":
      return advance(run, program, inst, node?.next.timeout ?? null, inst.node);
  }
}

function handleEntries(run: StepRun, event: EngineEvent, index: ProgramIndex) {
  for (const program of index.candidates) {
    try {
      // One entry per journey per event: the first trigger that fires.
      const trigger = firstFiringTrigger(run, program, event);
      if (!trigger) continue;
      const key = trigger.config.key ? resolvePath(scopeFor(run, program, event), trigger.config.key) : null;
      const keyText = key === null || typeof key === "symbol" ? null : textOf(key);
      const refusal = refusalReason(run, program, keyText, event);
      if (refusal) {
        run.effects.push({ t: event.timestamp, journey: program.id, version: program.version, type: "refused", key: `${program.id}:${run.ctx.customerId}:refused:${event.id}`, reason: refusal.reason, ...(refusal.rule ? { rule: refusal.rule } : {}) });
        continue;
      }
      enter(run, program, trigger, keyText, event);
    } catch (err) {
      throw journeyError(program.id, program.version, err);
    }
  }
  const scores = run.scores;
  const outside = run.ctx.scores;
  // A first score, computed (only scoreNames, no key from outside such as an own "__proto__"): the step's own scores
  // object (made for this step, read-only here) becomes the state's, instead of the loop adding its properties one by
  // one. A new customer's state starts with the shared, frozen noScores, which is replaced, never written to.
  const last = run.state.lastScores;
  if ((last === noScores || isEmpty(last)) && (!outside || isEmpty(outside))) run.state.lastScores = scores;
  else {
    const into = last === noScores ? (run.state.lastScores = {}) : last;
    for (const name in scores) into[name] = scores[name]!;
  }
}

const noTriggers: CompiledTrigger[] = [];
/**
 * The first of a program's triggers that fires on this input: its event triggers in order, then its score triggers
 * (a crossing of the threshold). Only the first is used, and conditions are pure, so the rest are not evaluated and
 * no list is built (this runs for every program taking entries, on every input).
 */
function firstFiringTrigger(run: StepRun, program: Program, event: EngineEvent): CompiledTrigger | undefined {
  for (const tr of program.triggersByEvent.get(event.name) ?? noTriggers) if (eventTriggerFires(run, program, event, tr)) return tr;
  for (const tr of program.scoreTriggers) {
    const s = tr.config.score!;
    const current = run.scores[s.name];
    const previous = run.state.lastScores[s.name];
    if (current !== undefined && current >= s.gte && (previous === undefined || previous < s.gte)) return tr;
  }
  return undefined;
}

function eventTriggerFires(run: StepRun, program: Program, event: EngineEvent, tr: CompiledTrigger): boolean {
  if (tr.config.event) return tr.where === null || tr.where(scopeFor(run, program, event));
  const b = tr.config.behavior!;
  const since = parseIso(event.timestamp) - tr.withinMs;
  const inWindow = run.state.recent.filter((r) => parseIso(r.t) > since);
  const count = inWindow.filter((r) => r.name === b.event).length;
  return count === b.atLeast && !(b.without && inWindow.some((r) => r.name === b.without));
}

function refusalReason(run: StepRun, program: Program, key: string | null, event: EngineEvent): { reason: string; rule?: string } | null {
  const s = run.state;
  const history = s.journeys[program.id];
  if (run.ctx.unsubscribed || s.traits.unsubscribed === true) return { reason: "unsubscribed" };
  const active = s.instances.length ? s.instances.filter((i) => i.journey === program.id) : s.instances;
  if (program.reentry === "never" && (history?.entries ?? 0) > 0) return { reason: "reentry" };
  if (program.reentry === "after_exit" && active.length > 0) return { reason: "already_in_journey" };
  if (program.reentry === "always" && key !== null && active.some((i) => i.key === key)) return { reason: "already_in_journey" };
  if (program.cooldown && history?.lastExitedAt && addDuration(new Date(history.lastExitedAt), program.cooldown) > run.now) return { reason: "cooldown" };
  for (const neg of program.negatives) {
    if (neg.blockMs === null) continue;
    const since = run.nowMs - neg.blockMs;
    const hit = s.recent.some(
      (r) => r.name === neg.config.event && parseIso(r.t) > since && r.t <= event.timestamp && neg.where({ ...scopeFor(run, program, undefined), event: { name: r.name, properties: r.properties } }),
    );
    if (hit) return { reason: "negative_trigger", rule: neg.nodeId };
  }
  const max = run.ctx.workspace.maxConcurrentJourneys;
  if (max !== undefined && active.length === 0 && s.instances.length >= max && new Set(s.instances.map((i) => i.journey)).size >= max) return { reason: "priority" };
  return null;
}

function enter(run: StepRun, program: Program, trigger: CompiledTrigger, key: string | null, event: EngineEvent) {
  const triggerId = trigger.nodeId;
  const s = run.state;
  const history = (s.journeys[program.id] ??= { entries: 0, lastEnteredAt: null, lastExitedAt: null });
  history.entries += 1;
  history.lastEnteredAt = event.timestamp;
  const c = run.ctx;
  const group =
    c.workspace.globalHoldoutPercent > 0 && unitHash("global_holdout", c.customerId, c.seed) * 100 < c.workspace.globalHoldoutPercent
      ? "global_holdout"
      : program.holdoutPercent > 0 && unitHash(program.id, "holdout", c.customerId, c.seed) * 100 < program.holdoutPercent
        ? "holdout"
        : "treatment";
  const goalBy = program.goal ? isoOf(addDuration(run.now, program.goal.within, customerTimezone(program, s.traits)).getTime()) : null;
  const inst: Instance = {
    id: countKeys.key(program.idPrefix + c.customerId, history.entries),
    journey: program.id,
    version: program.version,
    key,
    group,
    node: triggerId,
    enteredAt: event.timestamp,
    goalBy,
    converted: false,
    seq: 0,
    waiting: null,
    suppressUntil: null,
    entryEvent: event.properties,
    decisions: [],
    path: [],
  };
  s.instances = append(s.instances, inst);
  run.effects.push({ t: event.timestamp, journey: program.id, version: program.version, type: "enter", key: `${inst.id}:enter`, instance: inst.id, group, node: triggerId });
  if (group !== "treatment") {
    // Holdout: tracked for the goal until its window ends; no message, no decision, no profile update.
    if (!goalBy) return exitInstance(run, inst, "holdout_complete");
    inst.waiting = { kind: "holdout", until: goalBy };
    return;
  }
  advance(run, program, inst, triggerId, undefined, false, trigger.node);
}

function prune(state: CustomerState, nowMs: number) {
  // A watch whose goalBy is not text (stored in a shape this version cannot handle) is kept: its journey's goal fails on it, alone.
  if (state.goalWatch.length > 0) state.goalWatch = state.goalWatch.filter((w) => typeof w.goalBy !== "string" || parseIso(w.goalBy) >= nowMs);
  const horizon = nowMs - stateLimits.lookbackMs;
  if (state.sent.length > 0 && parseIso(state.sent[0]!.t) < horizon) state.sent = state.sent.filter((m) => parseIso(m.t) >= horizon);
  if (state.sent.length > stateLimits.sentMessages) state.sent = state.sent.slice(-stateLimits.sentMessages);
  if (state.recent.length > 0 && parseIso(state.recent[0]!.t) < horizon) state.recent = state.recent.filter((r) => parseIso(r.t) >= horizon);
  if (state.recent.length > stateLimits.recentEvents) state.recent = state.recent.slice(-stateLimits.recentEvents);
}
