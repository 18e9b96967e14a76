import type { z } from "zod";
import type { Condition, ConditionScope } from "../conditions";

export type NodeFamily = "trigger" | "negative" | "guardrail" | "flow" | "message" | "decision" | "profile" | "exit";

/** Why a customer left a journey (spec "Simulation": exit reasons). */
export type ExitReason = "completed" | "goal" | "negative_trigger" | "capped" | "holdout_complete";

/** What running a node decides: follow a handle, wait, or exit. */
export type NodeOutcome =
  | { kind: "go"; handle: string }
  | { kind: "wait"; until: Date }
  | { kind: "await_event"; until: Date }
  | { kind: "hold"; until: Date }
  | { kind: "exit"; reason: ExitReason; rule?: string };

/** "Go on through `next`": one shared object (outcomes are read, never changed), for the kinds that always go on. */
export const goNext: NodeOutcome = Object.freeze({ kind: "go", handle: "next" });

/** What a node may ask of the engine while it runs (all pure: time and randomness come in). */
export type NodeRuntime = {
  now: Date;
  tz: string;
  scope: ConditionScope;
  /** Deterministic uniform [0, 1) for this (journey, node, customer, seed). */
  unit: (salt?: string) => number;
  /** Runs the message through the guardrails and records the result; says how the path goes on. */
  sendMessage: (config: MessageLike) => NodeOutcome;
  decide: (config: DecisionLike) => string;
  setTraits: (set: Record<string, unknown>) => void;
  bestHour: () => number;
};

export type MessageLike = { channel: string; template: string; subject?: string };
export type DecisionLike = {
  policy: "bandit" | "model" | "rules";
  options: { handle: string; label?: string; channel?: string; when?: Condition }[];
};

/** One node kind: its config schema, handles, defaults, palette text, one-line summary and step logic. */
export type NodeKindDefinition<C> = {
  kind: string;
  label: string;
  description: string;
  family: NodeFamily;
  configSchema: z.ZodType<C>;
  defaultConfig: C;
  /** Handles out, given the config. */
  handles: (config: C) => string[];
  /** Handles that should have an edge (a missing one is a warning: the default is an exit). */
  requiredHandles: (config: C) => string[];
  /** Events this node listens for (used by the compiler's index). */
  summary: (config: C) => string;
  /**
   * Instant or waiting behaviour when a customer arrives; undefined for kinds not on the path. `prepared` is what
   * `prepare` made of this config when the journey was compiled (undefined without `prepare`).
   */
  run?: (config: C, rt: NodeRuntime, prepared: never) => NodeOutcome;
  /** Work on the config done once per compiled journey rather than per customer (compiled conditions, shared outcomes). */
  prepare?: (config: C) => unknown;
  /** Condition roots used, for validation. */
  conditions: (config: C) => (Condition | undefined)[];
  /** Duration fields used, for validation messages. */
  onMainPath: boolean;
};

export function defineNodeKind<C>(def: NodeKindDefinition<C>): NodeKindDefinition<C> {
  return def;
}
