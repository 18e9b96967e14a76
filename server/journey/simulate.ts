import { compileJourney, type Program } from "./compile";
import { applyStatsUpdates, statsUpdates, type DecisionStats } from "@/server/decisions/learning";
import { workspaceSettingsSchema, type WorkspaceSettings } from "./schema";
import type { CustomerState } from "./state";
import { orchestrate } from "./step";
import type { Effect, EngineEvent, LiveProgram, StepInput, Timer } from "./step-types";

/** One line of simulator output (spec "Simulation"): t, userId, journey, type, then what the type needs. */
export type SimLine = { t: string; userId: string; journey: string; type: Effect["type"] } & Record<string, unknown>;

/** An event in the ingestion API's shape, with a timestamp. */
export type SimEvent = {
  type?: "track" | "identify";
  userId?: string;
  anonymousId?: string;
  event?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  timestamp: string;
  messageId?: string;
};

function toLine(userId: string, e: Effect): SimLine {
  const line: SimLine = { t: e.t, userId, journey: e.journey, type: e.type };
  switch (e.type) {
    case "enter":
      line.group = e.group;
      break;
    case "node":
      line.node = e.node;
      break;
    case "message":
      line.node = e.node;
      line.channel = e.channel;
      break;
    case "suppressed":
    case "blocked":
    case "held":
      line.node = e.node;
      line.channel = e.channel;
      line.reason = e.reason;
      if (e.rule) line.rule = e.rule;
      break;
    case "decision":
      line.node = e.node;
      line.handle = e.handle;
      break;
    case "goal":
      break;
    case "exit":
    case "refused":
      line.reason = e.reason;
      if (e.rule) line.rule = e.rule;
      break;
  }
  return line;
}

/**
 * The same engine without a database: customers' states and timers in memory,
 * inputs in time order (timers due at or before an event fire first). Used by
 * the CLI (batch and --interactive), the editor's test mode and the tests.
 */
export class Simulator {
  private programs: LiveProgram[];
  private states = new Map<string, CustomerState>();
  private timers = new Map<string, Timer[]>();
  private scores = new Map<string, Record<string, number>>();
  private workspace: WorkspaceSettings;
  private clock: Date | null = null;
  private seq = 0;
  /** What decision nodes have learned so far (updated after every step, as the runtime does in its transaction). */
  decisionStats: DecisionStats = {};

  constructor(documents: unknown[], opts: { workspace?: unknown; seed?: string } = {}) {
    this.programs = documents.map((d) => ({ program: compileJourney(d, 1), acceptsEntries: true }));
    this.workspace = workspaceSettingsSchema.parse(opts.workspace ?? {});
    this.seed = opts.seed ?? "waymark";
  }
  private seed: string;

  get now(): Date | null {
    return this.clock;
  }

  get programList(): Program[] {
    return this.programs.map((p) => p.program);
  }

  stateOf(userId: string): CustomerState | undefined {
    return this.states.get(userId);
  }

  private step(userId: string, input: StepInput): SimLine[] {
    const res = orchestrate(this.programs, this.states.get(userId) ?? null, input, {
      customerId: userId,
      seed: this.seed,
      workspace: this.workspace,
      scores: this.scores.get(userId),
      decisionStats: this.decisionStats,
    });
    applyStatsUpdates(this.decisionStats, statsUpdates(res.effects));
    this.states.set(userId, res.state);
    this.timers.set(userId, res.timers);
    return res.effects.map((e) => toLine(userId, e));
  }

  /** Fires every timer due at or before `until`, in due order. */
  runTimersUntil(until: Date): SimLine[] {
    const out: SimLine[] = [];
    for (;;) {
      let best: { userId: string; timer: Timer } | null = null;
      for (const [userId, list] of this.timers) {
        for (const timer of list) if (!best || timer.dueAt < best.timer.dueAt) best = { userId, timer };
      }
      if (!best || new Date(best.timer.dueAt) > until) break;
      this.clock = new Date(best.timer.dueAt);
      out.push(...this.step(best.userId, { kind: "timer", instanceId: best.timer.instanceId, seq: best.timer.seq, at: best.timer.dueAt }));
    }
    return out;
  }

  /** Handles one event: first the timers due before it, then the event. */
  handle(raw: SimEvent): SimLine[] {
    const userId = raw.userId ?? (raw.anonymousId ? `anon:${raw.anonymousId}` : null);
    if (!userId) throw new Error("each event needs a userId or an anonymousId");
    const at = new Date(raw.timestamp);
    if (Number.isNaN(at.getTime())) throw new Error(`invalid timestamp ${JSON.stringify(raw.timestamp)}`);
    const out = this.runTimersUntil(at);
    this.clock = at;
    const type = raw.type ?? "track";
    const traits = raw.traits ?? {};
    if (type === "identify" && traits.scores && typeof traits.scores === "object") {
      this.scores.set(userId, { ...(this.scores.get(userId) ?? {}), ...(traits.scores as Record<string, number>) });
    }
    const event: EngineEvent = {
      id: raw.messageId ?? `sim-${++this.seq}`,
      type,
      name: type === "identify" ? "identify" : (raw.event ?? ""),
      properties: raw.properties ?? {},
      traits,
      timestamp: at.toISOString(),
    };
    out.push(...this.step(userId, { kind: "event", event }));
    return out;
  }

  hasTimers(): boolean {
    return [...this.timers.values()].some((l) => l.length > 0);
  }
}

/** Batch simulation: every event in timestamp order (ties in arrival order), then timers until none remain or `until`. */
export function simulate(documents: unknown[], events: SimEvent[], opts: { workspace?: unknown; until?: Date; seed?: string } = {}): SimLine[] {
  const sim = new Simulator(documents, opts);
  const ordered = events.map((e, i) => ({ e, i, ms: Date.parse(e.timestamp) })).sort((a, b) => a.ms - b.ms || a.i - b.i);
  const lines: SimLine[] = [];
  for (const { e } of ordered) lines.push(...sim.handle(e));
  lines.push(...sim.runTimersUntil(opts.until ?? new Date(8.64e15)));
  return lines;
}
