import type { Program } from "./compile";
import type { DecisionMemo, DecisionStats } from "@/server/decisions/learning";
import type { ModelAnswer } from "@/server/decisions/policies";
import type { WorkspaceSettings } from "./schema";
import type { ScoreModels } from "@/server/scores/model";

/** An event as the engine sees it (the ingestion API's event, normalized). */
export type EngineEvent = {
  id: string;
  type: "track" | "identify";
  name: string;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  timestamp: string;
};

/** An event; an instance's timer; or the customer's daily scoring tick (predictive scores move while a customer is silent). */
export type StepInput =
  | { kind: "event"; event: EngineEvent }
  | { kind: "timer"; instanceId: string; seq: number; at: string }
  | { kind: "score"; at: string }
  /** Changes nothing but recomputes the customer's timers (after a held journey resumes). */
  | { kind: "wake"; at: string };

/**
 * A published program and whether it takes new entries (a paused journey lets
 * customers in it finish), or holds them (paused with `hold`: customers stay
 * where they are, no timer fires and no event moves them, until it resumes;
 * goals still count).
 */
export type LiveProgram = { program: Program; acceptsEntries: boolean; held?: boolean };

export type StepContext = {
  customerId: string;
  seed: string;
  workspace: WorkspaceSettings;
  /** Scores set from outside (identify `traits.scores`, a data pipeline's own model): they win over computed ones of the same name. */
  scores?: Record<string, number>;
  /** The workspace's predictive score models (absent: the priors). */
  scoreModels?: ScoreModels;
  unsubscribed?: boolean;
  /** What the bandit has learned: by `${journey}:${node}`, bucket, option. */
  decisionStats?: DecisionStats;
  /** For `model` decisions: answers the shell already obtained, by the decision effect's key. */
  modelChoices?: Record<string, ModelAnswer>;
  /** The hour used by `wait until best_time` when the customer has no engagement yet. */
  defaultBestHour?: number;
};

export const effectTypes = ["enter", "node", "message", "suppressed", "blocked", "held", "decision", "goal", "exit", "refused"] as const;
export type EffectType = (typeof effectTypes)[number];

/** Something that happened, as data. `key` is deterministic per (instance, node, transition). */
export type Effect = {
  t: string;
  journey: string;
  version: number | null;
  type: EffectType;
  key: string;
  instance?: string;
  node?: string;
  group?: string;
  channel?: string;
  handle?: string;
  reason?: string;
  rule?: string;
  message?: { channel: string; subject: string | null; body: string; to: string | null };
  decision?: {
    policy: string;
    scores: Record<string, number>;
    probabilities: Record<string, number>;
    eligible: string[];
    /** The context bucket and the features it was made of (the decision's inputs). */
    bucket: string;
    features: Record<string, string>;
    /** Whether the bandit used the bucket's own posterior or the node-wide one. */
    source?: "bucket" | "node";
    latencyMs?: number;
  };
  /** On a goal: the decisions of the instance that it credits. */
  rewards?: DecisionMemo[];
  /** On a goal or an exit: milliseconds since the stay began (time to convert, velocity). */
  sinceEntryMs?: number;
  /** On an exit: the steps the stay went through (the most common paths). */
  path?: string[];
};

/** An instance's timer, or the customer's scoring tick. */
export type Timer = { key: string; dueAt: string; instanceId: string; seq: number } | { key: string; dueAt: string; score: true };
