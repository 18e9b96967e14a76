/** Plain words for step-log entries, so a timeline reads like a story. */
export const stepLabels: Record<string, string> = {
  enter: "Entered",
  node: "Passed",
  message: "Message queued",
  suppressed: "Not sent: suppressed",
  blocked: "Not sent: blocked by a guardrail",
  held: "Held for quiet hours",
  decision: "Decision",
  goal: "Reached the goal",
  exit: "Exited",
  refused: "Entry refused",
  failed: "Not handled: the step failed",
};

export const reasonLabels: Record<string, string> = {
  completed: "the journey's end",
  goal: "conversion (the goal)",
  negative_trigger: "a negative trigger",
  capped: "frequency cap",
  holdout_complete: "the end of the holdout window",
  priority: "a higher-priority journey",
  unsubscribed: "unsubscribed",
  holdout: "in the holdout group",
  quiet_hours: "quiet hours",
  cooldown: "re-entry cooldown",
  already_in_journey: "already in the journey",
};

export function describeReason(detail: Record<string, unknown>): string | null {
  const reason = typeof detail.reason === "string" ? detail.reason : null;
  if (!reason) return null;
  // A step that threw (see the runtime's StepFailure): which input, and the error, for whoever reports it.
  if (reason === "step_failed") return `an error with ${typeof detail.input === "string" ? detail.input : "an input"}: ${typeof detail.error === "string" ? detail.error : "unknown"}`;
  const rule = typeof detail.rule === "string" ? ` (${detail.rule})` : "";
  return `${reasonLabels[reason] ?? reason}${rule}`;
}
