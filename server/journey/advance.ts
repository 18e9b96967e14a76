import type { CompiledNode, Program } from "./compile";
import { compileCondition, renderTemplate, type Condition, type ConditionScope, type Predicate } from "./conditions";
import { bucketOf, contextFeatures, posteriorsFor } from "@/server/decisions/learning";
import { decide } from "@/server/decisions/policies";
import { unitHash } from "./hash";
import { isoOf, parseIso } from "./iso";
import { dayOfWeekOf, hourOf, localMs, quietUntil } from "./local-time";
import type { ExitReason, NodeOutcome, NodeRuntime } from "./node-kinds";
import { goNext, type DecisionLike, type MessageLike } from "./node-kinds/kind";
import type { DecisionConfig } from "./node-kinds/decision";
import type { MessageConfig } from "./node-kinds/message";
import { parseDuration, durationMs } from "./durations";
import type { FrequencyCap } from "./schema";
import { maxDecisionMemos, maxPathSteps, type CustomerState, type Instance } from "./state";
import { customerTimezone, scopeFor } from "./scope";
import type { Effect, EngineEvent, StepContext } from "./step-types";
import { append } from "./append";
import { mergeOwn } from "./merge-own";
import { messageKeys, nodeKeys } from "./keys";

/** The mutable working set of one orchestrate call. */
export class StepRun {
  private date: Date | undefined;
  constructor(
    readonly state: CustomerState,
    readonly effects: Effect[],
    readonly ctx: StepContext,
    /** The customer's scores for this input: computed ones, overridden by any set from outside (ctx.scores). */
    readonly scores: Record<string, number>,
    /** The input's time, epoch ms. */
    readonly nowMs: number,
    /** `now` as ISO text, computed once per input. */
    readonly nowIso: string,
    readonly traitUpdates: Record<string, unknown>,
    readonly event: EngineEvent | undefined,
  ) {}
  /**
   * The input's time as a Date, made when first asked for: only durations and local times (date-fns) take one, and
   * most steps have none to compute; comparisons use nowMs.
   */
  get now(): Date {
    return (this.date ??= new Date(this.nowMs));
  }
  /**
   * The input's local hour and day of the week in the last time zone asked for: a step asks for the customer's zone
   * several times (its engagement hour, each scope), and the zone's offset and the arithmetic are done once.
   */
  private clockZone = "";
  private clockHour = 0;
  private clockDayOfWeek = 0;
  private clockIn(tz: string): void {
    if (tz === this.clockZone) return;
    const local = localMs(this.nowMs, tz);
    this.clockHour = hourOf(local);
    this.clockDayOfWeek = dayOfWeekOf(local);
    this.clockZone = tz;
  }
  /** The input's local hour (0..23) in `tz`. */
  hourIn(tz: string): number {
    this.clockIn(tz);
    return this.clockHour;
  }
  /** The input's local day of the week (0 = Sunday) in `tz`. */
  dayOfWeekIn(tz: string): number {
    this.clockIn(tz);
    return this.clockDayOfWeek;
  }
}

const maxInstantSteps = 1000;

/** Milliseconds from a stay's start to `t` (never negative: an event may carry a timestamp before the entry's). */
export function sinceEntry(t: string, enteredAt: string): number {
  return t === enteredAt ? 0 : Math.max(0, parseIso(t) - parseIso(enteredAt));
}

export function exitInstance(run: StepRun, inst: Instance, reason: ExitReason, rule?: string) {
  const s = run.state;
  const at = s.instances.indexOf(inst);
  // The last one (usually the only one) is popped: splice would also build an array of what it removes.
  if (at >= 0 && at === s.instances.length - 1) s.instances.pop();
  else if (at >= 0) s.instances.splice(at, 1);
  const history = (s.journeys[inst.journey] ??= { entries: 1, lastEnteredAt: inst.enteredAt, lastExitedAt: null });
  history.lastExitedAt = run.nowIso;
  if (reason !== "goal" && reason !== "holdout_complete" && !inst.converted && inst.goalBy && inst.goalBy > run.nowIso) {
    s.goalWatch.push({ instance: inst.id, journey: inst.journey, version: inst.version, group: inst.group, goalBy: inst.goalBy, decisions: inst.decisions, enteredAt: inst.enteredAt });
  }
  const sinceEntryMs = sinceEntry(run.nowIso, inst.enteredAt);
  // The stay has ended: its path is handed over, not copied (nothing changes it any more).
  const key = `${inst.id}:exit`;
  run.effects.push(
    rule
      ? { t: run.nowIso, journey: inst.journey, version: inst.version, type: "exit", key, instance: inst.id, node: inst.node, group: inst.group, reason, rule, sinceEntryMs, path: inst.path }
      : { t: run.nowIso, journey: inst.journey, version: inst.version, type: "exit", key, instance: inst.id, node: inst.node, group: inst.group, reason, sinceEntryMs, path: inst.path },
  );
}

/**
 * Moves an instance to `target` and on through instant nodes until it waits
 * or exits. A handle with no edge (target null) ends the journey: "completed".
 * `resumeHeld` re-runs a message held for quiet hours without counting a new pass.
 */
export function advance(run: StepRun, program: Program, inst: Instance, target: string | null, _from?: string, resumeHeld = false, targetNode?: CompiledNode) {
  // No node (no edge for the handle taken, or an edge to a node that is not there): "completed". `targetNode`: the
  // caller has the target's compiled node already (an entry's trigger), so it is not looked up.
  let node = targetNode ?? (target === null ? undefined : program.nodes.get(target));
  let resuming = resumeHeld;
  const rt = new Runtime(run, program, inst);
  for (let steps = 0; steps < maxInstantSteps; steps++) {
    if (!node) return exitInstance(run, inst, "completed");
    if (!resuming) {
      inst.seq += 1;
      inst.node = node.id;
      run.effects.push({ t: run.nowIso, journey: inst.journey, version: inst.version, type: "node", key: nodeKeys.key(inst.id, inst.seq), instance: inst.id, node: node.id, group: inst.group });
      if (inst.path.length < maxPathSteps) inst.path = append(inst.path, node.id);
      else if (inst.path.length === maxPathSteps) inst.path.push("…");
    }
    resuming = false;
    if (!node.run) return exitInstance(run, inst, "completed");
    rt.nodeId = node.id;
    const outcome: NodeOutcome = node.run(node.config, rt, node.prepared as never);
    switch (outcome.kind) {
      case "go": {
        // `next`, the usual handle, was followed at compile time.
        node = (outcome.handle === "next" ? node.nextNode : node.nextNodes.get(outcome.handle)) ?? undefined;
        continue;
      }
      case "wait":
        inst.waiting = { kind: "wait", until: isoOf(outcome.until.getTime()) };
        return;
      case "await_event":
        inst.waiting = { kind: "event", until: isoOf(outcome.until.getTime()) };
        return;
      case "hold":
        inst.waiting = { kind: "held", until: isoOf(outcome.until.getTime()) };
        return;
      case "exit":
        return exitInstance(run, inst, outcome.reason, outcome.rule);
    }
  }
  exitInstance(run, inst, "completed");
}

/**
 * What nodes may ask of the engine during one advance (a class, so an advance
 * allocates one object rather than a closure per capability); `nodeId` says
 * which node is running.
 */
class Runtime implements NodeRuntime {
  nodeId = "";
  readonly tz: string;
  readonly scope: ConditionScope;
  constructor(
    private readonly run: StepRun,
    private readonly program: Program,
    private readonly inst: Instance,
  ) {
    this.tz = customerTimezone(program, run.state.traits);
    this.scope = scopeFor(run, program, run.event ?? { id: "", type: "track", name: "", properties: inst.entryEvent, traits: {}, timestamp: inst.enteredAt });
  }
  get now() {
    return this.run.now;
  }
  unit(salt = "") {
    return unitHash(this.program.id, this.nodeId, this.run.ctx.customerId, this.run.ctx.seed, salt);
  }
  setTraits(set: Record<string, unknown>) {
    mergeOwn(this.run.state.traits, set);
    mergeOwn(this.run.traitUpdates, set);
  }
  bestHour() {
    const e = this.run.state.engagement;
    const max = Math.max(...e);
    return max > 0 ? e.indexOf(max) : (this.run.ctx.defaultBestHour ?? 10);
  }
  sendMessage(config: MessageLike) {
    return sendMessage(this.run, this.program, this.inst, this.nodeId, config as MessageConfig, this.tz, this.scope);
  }
  decide(config: DecisionLike) {
    return decideOption(this.run, this.program, this.inst, this.nodeId, config as DecisionConfig, this.scope);
  }
}

const compiled = new WeakMap<Condition, Predicate>();
function compileOnce(c: Condition): Predicate {
  let p = compiled.get(c);
  if (!p) compiled.set(c, (p = compileCondition(c)));
  return p;
}

const windows = new Map<string, number>();
function capWindowMs(per: string): number {
  let ms = windows.get(per);
  if (ms === undefined) windows.set(per, (ms = durationMs(parseDuration(per)!)));
  return ms;
}

/** The cap a new message on `channel` would break, if any: exact sliding windows over every journey's sends. */
export function brokenCap(state: CustomerState, caps: FrequencyCap[], channel: string, nowMs: number): FrequencyCap | null {
  for (const cap of caps) {
    if (cap.channel !== "any" && cap.channel !== channel) continue;
    if (state.sent.length < cap.max) continue;
    const since = nowMs - capWindowMs(cap.per);
    // Canonical ISO text (24 characters) sorts as time does: compared as text, not parsed per message per cap.
    const sinceIso = isoOf(since);
    const asText = sinceIso.length === 24;
    let count = 0;
    for (const m of state.sent) if ((cap.channel === "any" || m.channel === cap.channel) && (asText && m.t.length === 24 && m.t.charCodeAt(23) === 90 ? m.t > sinceIso : parseIso(m.t) > since)) count++;
    if (count >= cap.max) return cap;
  }
  return null;
}

/** A message that is not sent: the same fields as a sent one, and why (object literals, not spreads: this is the hot path). */
function notSent(run: StepRun, inst: Instance, nodeId: string, channel: string, type: "blocked" | "suppressed" | "held", reason: string, rule?: string): Effect {
  const key = `${inst.id}:${inst.seq}:${type}`;
  return rule
    ? { t: run.nowIso, journey: inst.journey, version: inst.version, instance: inst.id, node: nodeId, channel, group: inst.group, type, key, reason, rule }
    : { t: run.nowIso, journey: inst.journey, version: inst.version, instance: inst.id, node: nodeId, channel, group: inst.group, type, key, reason };
}

function sendMessage(run: StepRun, program: Program, inst: Instance, nodeId: string, config: MessageConfig, tz: string, scope: ConditionScope): NodeOutcome {
  if (run.ctx.unsubscribed || run.state.traits.unsubscribed === true) {
    run.effects.push(notSent(run, inst, nodeId, config.channel, "blocked", "unsubscribed"));
    return goNext;
  }
  if (inst.suppressUntil && parseIso(inst.suppressUntil) > run.nowMs) {
    run.effects.push(notSent(run, inst, nodeId, config.channel, "suppressed", "negative_trigger"));
    return goNext;
  }
  const workspaceQuiet = run.ctx.workspace.quietHours;
  // The time in ms: most messages fall outside quiet hours, and need no Date (run.now makes one).
  const until = (workspaceQuiet ? quietUntil(run.nowMs, workspaceQuiet, tz) : null) ?? (program.quietHours ? quietUntil(run.nowMs, program.quietHours, tz) : null);
  if (until) {
    run.effects.push(notSent(run, inst, nodeId, config.channel, "held", "quiet_hours"));
    return { kind: "hold", until };
  }
  const workspaceCap = brokenCap(run.state, run.ctx.workspace.frequencyCap, config.channel, run.nowMs);
  const journeyCap = workspaceCap ? null : brokenCap(run.state, program.caps, config.channel, run.nowMs);
  if (workspaceCap || journeyCap) {
    run.effects.push(notSent(run, inst, nodeId, config.channel, "blocked", "capped", workspaceCap ? "workspace" : "journey"));
    return journeyCap && program.onCapped === "exit" ? { kind: "exit", reason: "capped" } : goNext;
  }
  const email = scope.traits.email;
  const phone = scope.traits.phone;
  run.state.sent = append(run.state.sent, { t: run.nowIso, channel: config.channel, journey: inst.journey });
  run.effects.push({
    t: run.nowIso,
    journey: inst.journey,
    version: inst.version,
    instance: inst.id,
    node: nodeId,
    channel: config.channel,
    group: inst.group,
    type: "message",
    key: messageKeys.key(inst.id, inst.seq),
    message: {
      channel: config.channel,
      subject: config.subject ? renderTemplate(config.subject, scope) : null,
      body: renderTemplate(config.template, scope),
      to: config.channel === "email" && typeof email === "string" ? email : config.channel === "sms" && typeof phone === "string" ? phone : null,
    },
  });
  return goNext;
}

function decideOption(run: StepRun, program: Program, inst: Instance, nodeId: string, config: DecisionConfig, scope: ReturnType<typeof scopeFor>): string {
  const eligible = config.options
    .filter((o) => {
      if (o.when && !compileOnce(o.when)(scope)) return false;
      if (!o.channel) return true;
      if (run.ctx.unsubscribed || run.state.traits.unsubscribed === true) return false;
      return !brokenCap(run.state, [...run.ctx.workspace.frequencyCap, ...program.caps], o.channel, run.nowMs);
    })
    .map((o) => o.handle);
  const features = contextFeatures(scope);
  const bucket = bucketOf(features);
  const key = `${inst.id}:${inst.seq}:decision`;
  const { posteriors, source } = posteriorsFor(run.ctx.decisionStats, program.id, nodeId, bucket, eligible);
  const answer = run.ctx.modelChoices?.[key];
  const result = decide({
    policy: config.policy,
    eligible,
    posteriors,
    seedParts: [program.id, nodeId, run.ctx.customerId, run.ctx.seed, String(inst.seq)],
    modelChoice: answer,
  });
  const handle = result.handle ?? "fallback";
  if (result.handle) inst.decisions = [...inst.decisions, { node: nodeId, handle, bucket }].slice(-maxDecisionMemos);
  run.effects.push({
    t: run.nowIso,
    journey: inst.journey,
    version: inst.version,
    type: "decision",
    key,
    instance: inst.id,
    node: nodeId,
    group: inst.group,
    handle,
    reason: result.reason,
    decision: {
      policy: config.policy,
      scores: result.scores,
      probabilities: result.probabilities,
      eligible,
      bucket,
      features,
      ...(config.policy === "bandit" ? { source } : {}),
      ...(answer ? { latencyMs: answer.latencyMs } : {}),
    },
  });
  return handle;
}
