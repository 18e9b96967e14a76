import { compileCondition, type Predicate } from "./conditions";
import { durationMs, parseDuration } from "./durations";
import { kindOf, type NodeKind, type NodeKindDefinition } from "./node-kinds";
import type { DecisionConfig } from "./node-kinds/decision";
import type { GuardrailConfig } from "./node-kinds/guardrail";
import type { NegativeTriggerConfig } from "./node-kinds/negative-trigger";
import type { TriggerConfig } from "./node-kinds/trigger";
import type { WaitForEventConfig } from "./node-kinds/wait-for-event";
import { journeyDocumentSchema, type FrequencyCap, type JourneyDocument } from "./schema";
import type { Duration } from "date-fns";

/**
 * `run` is the kind's step logic (kindOf(kind).run), `prepared` what its `prepare` made of the config (compiled
 * conditions, say), `nextNode` the node the `next` handle leads to (null: none) and `nextNodes` the node each handle
 * leads to: all looked up once here rather than per node per step.
 */
export type CompiledNode = {
  id: string;
  kind: NodeKind;
  config: unknown;
  next: Record<string, string>;
  run: NodeKindDefinition<unknown>["run"];
  prepared: unknown;
  nextNode: CompiledNode | null;
  nextNodes: Map<string, CompiledNode>;
};
/** `where` is null when the trigger has no condition (nothing to evaluate, no scope to build); `node` is the trigger's node. */
export type CompiledTrigger = { nodeId: string; node: CompiledNode; config: TriggerConfig; where: Predicate | null; withinMs: number };
export type CompiledNegative = { nodeId: string; config: NegativeTriggerConfig; where: Predicate; blockMs: number | null; suppress: Duration | null; jumpTo: string | null };

/** The runtime's program: everything parsed and indexed once per published version. */
export type Program = {
  id: string;
  /** `${id}:`, the start of every instance id (built once, not per entry). */
  idPrefix: string;
  version: number | null;
  document: JourneyDocument;
  priority: number;
  reentry: "never" | "after_exit" | "always";
  cooldown: Duration | null;
  holdoutPercent: number;
  timezone: string;
  goal: { event: string; within: Duration; exitOnGoal: boolean } | null;
  nodes: Map<string, CompiledNode>;
  triggers: CompiledTrigger[];
  /** Trigger lookup by the event name that can fire it (event and behaviour triggers). */
  triggersByEvent: Map<string, CompiledTrigger[]>;
  scoreTriggers: CompiledTrigger[];
  negatives: CompiledNegative[];
  waitPredicates: Map<string, Predicate>;
  caps: FrequencyCap[];
  quietHours: { start: string; end: string } | null;
  onCapped: "skip" | "exit";
  conditions: Map<string, Predicate>;
  /** Event names this program looks back on (behaviour triggers, entry blocking). */
  remembered: Set<string>;
};

export class CompileError extends Error {}

/**
 * compileJourney(document) → program. Expects a document that validates (the
 * runtime only compiles published versions); throws CompileError otherwise.
 */
export function compileJourney(input: unknown, version: number | null = null): Program {
  const doc = journeyDocumentSchema.parse(input);
  const nodes = new Map<string, CompiledNode>();
  for (const n of doc.nodes) {
    const kind = n.kind as NodeKind;
    const definition = kindOf(kind);
    const res = definition.configSchema.safeParse(n.config);
    if (!res.success) throw new CompileError(`node ${n.id}: ${res.error.issues[0]?.message}`);
    nodes.set(n.id, { id: n.id, kind, config: res.data, next: {}, run: definition.run, prepared: definition.prepare?.(res.data), nextNode: null, nextNodes: new Map() });
  }
  for (const e of doc.edges) {
    const from = nodes.get(e.from);
    if (from) from.next[e.handle] = e.to;
  }
  for (const n of nodes.values()) {
    n.nextNode = (n.next.next === undefined ? undefined : nodes.get(n.next.next)) ?? null;
    for (const [handle, to] of Object.entries(n.next)) {
      const target = nodes.get(to);
      if (target) n.nextNodes.set(handle, target);
    }
  }
  const triggers: CompiledTrigger[] = [];
  const negatives: CompiledNegative[] = [];
  const waitPredicates = new Map<string, Predicate>();
  const conditions = new Map<string, Predicate>();
  const remembered = new Set<string>();
  let caps: FrequencyCap[] = [];
  let quietHours: Program["quietHours"] = null;
  let onCapped: Program["onCapped"] = "skip";
  for (const n of nodes.values()) {
    switch (n.kind) {
      case "trigger": {
        const c = n.config as TriggerConfig;
        const t: CompiledTrigger = { nodeId: n.id, node: n, config: c, where: c.where ? compileCondition(c.where) : null, withinMs: c.behavior ? durationMs(parseDuration(c.behavior.within)!) : 0 };
        triggers.push(t);
        if (c.behavior) {
          remembered.add(c.behavior.event);
          if (c.behavior.without) remembered.add(c.behavior.without);
        }
        break;
      }
      case "negative_trigger": {
        const c = n.config as NegativeTriggerConfig;
        const suppress = typeof c.effect === "object" ? parseDuration(c.effect.suppress) : null;
        negatives.push({ nodeId: n.id, config: c, where: compileCondition(c.where), blockMs: c.blockEntryWithin ? durationMs(parseDuration(c.blockEntryWithin)!) : null, suppress, jumpTo: n.next.next ?? null });
        if (c.blockEntryWithin) remembered.add(c.event);
        break;
      }
      case "guardrail": {
        const c = n.config as GuardrailConfig;
        caps = [...caps, ...c.frequencyCap];
        quietHours = c.quietHours ?? quietHours;
        if (c.onCapped === "exit") onCapped = "exit";
        break;
      }
      case "wait_for_event":
        waitPredicates.set(n.id, compileCondition((n.config as WaitForEventConfig).where));
        break;
      case "decision":
        for (const o of (n.config as DecisionConfig).options) if (o.when) conditions.set(`${n.id}:${o.handle}`, compileCondition(o.when));
        break;
      case "wait":
      case "branch":
      case "split":
      case "message":
      case "update_profile":
      case "exit":
        break;
      default:
        return assertNever(n.kind);
    }
  }
  const triggersByEvent = new Map<string, CompiledTrigger[]>();
  for (const t of triggers) {
    const name = t.config.event ?? t.config.behavior?.event;
    if (name) triggersByEvent.set(name, [...(triggersByEvent.get(name) ?? []), t]);
  }
  const s = doc.settings;
  return {
    id: doc.id,
    idPrefix: `${doc.id}:`,
    version,
    document: doc,
    priority: s.priority,
    reentry: s.reentry,
    cooldown: s.reentryCooldown ? parseDuration(s.reentryCooldown) : null,
    holdoutPercent: s.holdoutPercent,
    timezone: s.timezone,
    goal: s.goal ? { event: s.goal.event, within: parseDuration(s.goal.within)!, exitOnGoal: s.goal.exitOnGoal } : null,
    nodes,
    triggers,
    triggersByEvent,
    scoreTriggers: triggers.filter((t) => t.config.score),
    negatives,
    waitPredicates,
    caps,
    quietHours,
    onCapped,
    conditions,
    remembered,
  };
}

function assertNever(x: never): never {
  throw new CompileError(`unknown node kind ${String(x)}`);
}
