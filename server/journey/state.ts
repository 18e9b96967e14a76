import { z } from "zod";
import { activitySchema, emptyActivity } from "@/server/scores/activity";
import { hash53 } from "./hash";

const decisionMemoSchema = z.object({ node: z.string(), handle: z.string(), bucket: z.string() });
/** At most this many decisions are remembered per instance for crediting goals. */
export const maxDecisionMemos = 20;
/** A stay's path keeps its first this many steps; a longer one ends in "…". */
export const maxPathSteps = 24;

/**
 * A customer's engine state: plain JSON, so the runtime keeps it in a jsonb
 * column and hands it back for the next input. Everything the spec's rules
 * need to look back on lives here (bounded: old entries are pruned).
 */
export const instanceSchema = z.object({
  /** Deterministic: `${journey}:${customer}:${n}` (n counts this customer's entries into the journey). */
  id: z.string(),
  journey: z.string(),
  version: z.number().int().nullable(),
  key: z.string().nullable(),
  group: z.enum(["treatment", "holdout", "global_holdout"]),
  node: z.string(),
  enteredAt: z.string(),
  goalBy: z.string().nullable(),
  converted: z.boolean(),
  /** Counts transitions, so effect keys and timer keys are unique per (instance, node, transition). */
  seq: z.number().int(),
  /** What the instance waits for: a timer (wait / held message / holdout window) or an event (wait_for_event). */
  waiting: z.object({ kind: z.enum(["wait", "event", "held", "holdout"]), until: z.string() }).nullable(),
  suppressUntil: z.string().nullable(),
  /** The properties of the event that brought the customer in (for templates and keys). */
  entryEvent: z.record(z.string(), z.unknown()),
  /** Decisions taken in this instance, credited when its goal arrives (bounded). */
  decisions: z.array(decisionMemoSchema).default([]),
  /** The steps this stay went through, for the most common paths (at most {@link maxPathSteps}, then "…"). */
  path: z.array(z.string()).default([]),
});
export type Instance = z.infer<typeof instanceSchema>;

export const customerStateSchema = z.object({
  instances: z.array(instanceSchema),
  /** Per journey: entries so far, last entry and exit (for reentry rules and cooldowns). */
  journeys: z.record(z.string(), z.object({ entries: z.number().int(), lastEnteredAt: z.string().nullable(), lastExitedAt: z.string().nullable() })),
  /** Messages sent (for frequency caps across all journeys and channels); pruned past the longest window. */
  sent: z.array(z.object({ t: z.string(), channel: z.string(), journey: z.string() })),
  /** Recent events that triggers and negative triggers look back on. */
  recent: z.array(z.object({ name: z.string(), t: z.string(), properties: z.record(z.string(), z.unknown()) })),
  /** Engagement by local hour (0..23), for best_time. */
  engagement: z.array(z.number()).length(24),
  /** Last seen predictive scores, to detect a crossing. */
  lastScores: z.record(z.string(), z.number()),
  /** What the predictive scores are computed from, and their snapshots waiting for a label. */
  activity: activitySchema.default(emptyActivity),
  traits: z.record(z.string(), z.unknown()),
  /**
   * Decision: a customer who leaves a journey early (completed, capped, a
   * negative trigger) is still watched for its goal until the goal window ends,
   * exactly as holdout customers are; otherwise treatment conversions would be
   * undercounted and the lift against the holdout biased.
   */
  goalWatch: z
    .array(
      z.object({
        instance: z.string(),
        journey: z.string(),
        version: z.number().int().nullable(),
        group: z.string(),
        goalBy: z.string(),
        decisions: z.array(decisionMemoSchema).default([]),
        /** When the stay began (time to convert); absent in states written before it was kept. */
        enteredAt: z.string().optional(),
      }),
    )
    .default([]),
});
export type CustomerState = z.infer<typeof customerStateSchema>;

/**
 * The stored state's format: a hash of the schema above, so it changes by
 * itself whenever the schema does. The runtime stores it with each state it
 * writes (`format`) and, reading a state of the current format back, uses it
 * as it is instead of parsing it again: a state orchestrate wrote is already
 * what the schema would give (properties.test checks that parsing one changes
 * nothing), and the parse cost as much as a step (30–44 µs for a customer with
 * 20 waiting instances). Anything else (older formats, hand edits) is parsed.
 */
let currentFormat: string | undefined;
export function stateFormat(): string {
  currentFormat ??= formatOf(customerStateSchema);
  return currentFormat;
}

/** A schema's format: the hash of its JSON Schema. */
export function formatOf(schema: z.ZodType): string {
  return hash53(JSON.stringify(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }))).toString(36);
}

/** A stored state as the engine's state: as it is when it carries the current format, else through the schema (null if it is not one). */
export function readStoredState(stored: unknown): CustomerState | null {
  if (stored !== null && typeof stored === "object" && (stored as { format?: unknown }).format === stateFormat()) return stored as CustomerState;
  const parsed = customerStateSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/**
 * A new state's scores: one shared, frozen empty record (a new customer's first step replaces it with its scores, so
 * making one per state only fed the collector). Never written to: orchestrate replaces it (see handleEntries).
 */
export const noScores: Record<string, number> = Object.freeze({}) as Record<string, number>;

export function emptyCustomerState(traits: Record<string, unknown> = {}): CustomerState {
  // 24 zeros as a literal: a packed array of small integers (new Array(24).fill(0) makes a slower holey one).
  const engagement = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  return { instances: [], journeys: {}, sent: [], recent: [], engagement, lastScores: noScores, activity: emptyActivity(), traits, goalWatch: [] };
}

/** Limits that keep a customer's state small whatever they do. */
export const stateLimits = { recentEvents: 200, sentMessages: 500, lookbackMs: 31 * 24 * 3600 * 1000 } as const;
