import { branchKind } from "./branch";
import { decisionKind } from "./decision";
import { exitKind } from "./exit";
import { guardrailKind } from "./guardrail";
import type { NodeKindDefinition } from "./kind";
import { messageKind } from "./message";
import { negativeTriggerKind } from "./negative-trigger";
import { splitKind } from "./split";
import { triggerKind } from "./trigger";
import { updateProfileKind } from "./update-profile";
import { waitKind } from "./wait";
import { waitForEventKind } from "./wait-for-event";

/** The one node registry: palette, canvas views, inspector, validator, compiler and step derive from it. */
export const nodeKindList = [
  "trigger",
  "negative_trigger",
  "guardrail",
  "wait",
  "wait_for_event",
  "branch",
  "split",
  "message",
  "decision",
  "update_profile",
  "exit",
] as const;
export type NodeKind = (typeof nodeKindList)[number];

export const nodeKinds = {
  trigger: triggerKind,
  negative_trigger: negativeTriggerKind,
  guardrail: guardrailKind,
  wait: waitKind,
  wait_for_event: waitForEventKind,
  branch: branchKind,
  split: splitKind,
  message: messageKind,
  decision: decisionKind,
  update_profile: updateProfileKind,
  exit: exitKind,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry keeps its own config type
} as const satisfies Record<NodeKind, NodeKindDefinition<any>>;

export function isNodeKind(kind: string): kind is NodeKind {
  return Object.prototype.hasOwnProperty.call(nodeKinds, kind);
}

/** The registry entry with its config type erased, for generic code (validator, compiler). */
export function kindOf(kind: NodeKind): NodeKindDefinition<unknown> {
  return nodeKinds[kind] as unknown as NodeKindDefinition<unknown>;
}

export type { NodeKindDefinition, NodeOutcome, ExitReason, NodeRuntime, NodeFamily } from "./kind";
