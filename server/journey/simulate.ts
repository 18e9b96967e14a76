import { compileJourney, type Program } from "./compile";
import { applyStatsUpdates, statsUpdates, type DecisionStats } from "@/server/decisions/learning";
import { workspaceSettingsSchema, type WorkspaceSettings } from "./schema";
import { learn, type ScoreModels } from "@/server/scores/model";
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
  /** Pending timers by due time (a min-heap; entries of an older timer set of a customer are skipped when popped). */
  private queue = new TimerQueue();
  private timerVersion = new Map<string, number>();
  private userRank = new Map<string, number>();
  private scores = new Map<string, Record<string, number>>();
  private workspace: WorkspaceSettings;
  private clock: Date | null = null;
  private seq = 0;
  /** What decision nodes have learned so far (updated after every step, as the runtime does in its transaction). */
  decisionStats: DecisionStats = {};
  /** What the predictive score models have learned so far (likewise). */
  scoreModels: ScoreModels = {};

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
      scoreModels: this.scoreModels,
    });
    // The runtime records a journey whose part of a step threw and goes on without it; a simulation stops and says so
    // (a journey that throws is a bug to see, not a path to show).
    const failed = res.failures[0];
    if (failed) throw new Error(`journey ${failed.journey} failed for ${userId} at ${input.kind === "event" ? input.event.timestamp : input.at}: ${failed.error instanceof Error ? failed.error.message : String(failed.error)}`, { cause: failed.error });
    applyStatsUpdates(this.decisionStats, statsUpdates(res.effects));
    learn(this.scoreModels, res.scoreExamples);
    this.states.set(userId, res.state);
    this.setTimers(userId, res.timers);
    return res.effects.map((e) => toLine(userId, e));
  }

  private setTimers(userId: string, timers: Timer[]) {
    this.timers.set(userId, timers);
    const version = (this.timerVersion.get(userId) ?? 0) + 1;
    this.timerVersion.set(userId, version);
    const rank = this.userRank.get(userId) ?? this.userRank.set(userId, this.userRank.size).get(userId)!;
    timers.forEach((timer, index) => this.queue.push({ due: Date.parse(timer.dueAt), rank, index, version, userId, timer }));
  }

  /** Fires every timer due at or before `until`, in due order (ties: customers in order of first appearance). */
  runTimersUntil(until: Date): SimLine[] {
    const out: SimLine[] = [];
    for (;;) {
      const next = this.queue.peek();
      if (!next || next.due > until.getTime()) break;
      this.queue.pop();
      if (this.timerVersion.get(next.userId) !== next.version) continue;
      this.clock = new Date(next.timer.dueAt);
      const t = next.timer;
      out.push(...this.step(next.userId, "score" in t ? { kind: "score", at: t.dueAt } : { kind: "timer", instanceId: t.instanceId, seq: t.seq, at: t.dueAt }));
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

type QueuedTimer = { due: number; rank: number; index: number; version: number; userId: string; timer: Timer };

/** A binary min-heap of timers by (due, customer rank, index). */
class TimerQueue {
  private heap: QueuedTimer[] = [];
  private static less(a: QueuedTimer, b: QueuedTimer): boolean {
    return a.due !== b.due ? a.due < b.due : a.rank !== b.rank ? a.rank < b.rank : a.index < b.index;
  }
  peek(): QueuedTimer | undefined {
    return this.heap[0];
  }
  push(x: QueuedTimer) {
    const h = this.heap;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!TimerQueue.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }
  pop(): QueuedTimer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && TimerQueue.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && TimerQueue.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
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
