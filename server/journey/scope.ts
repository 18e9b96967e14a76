import type { Program } from "./compile";
import type { ConditionScope } from "./conditions";
import { isTimeZone, localDayOfWeek, localHour } from "./local-time";
import type { CustomerState } from "./state";
import type { EngineEvent } from "./step-types";

/** The journey's time zone for this customer: the journey's own, else the customer's `timezone` trait, else UTC. */
export function customerTimezone(program: Program | null, traits: Record<string, unknown>): string {
  if (program && program.timezone !== "customer") return program.timezone;
  const tz = traits.timezone;
  return typeof tz === "string" && isTimeZone(tz) ? tz : "UTC";
}

export function scopeFor(run: { state: CustomerState; nowMs: number; scores: Record<string, number> }, program: Program | null, event: EngineEvent | undefined): ConditionScope {
  // Hour and day of the week as numbers (localParts would build an object per scope, and a scope is built per step).
  const tz = customerTimezone(program, run.state.traits);
  const hour = localHour(run.nowMs, tz);
  const dayOfWeek = localDayOfWeek(run.nowMs, tz);
  const channel = run.state.traits.preferredChannel;
  return {
    event: event ? { name: event.name, properties: event.properties } : undefined,
    traits: run.state.traits,
    scores: run.scores,
    // Two literals rather than a spread of a conditional object: one fewer object, and no property copy, per scope.
    context: typeof channel === "string" ? { hour, dayOfWeek, channel } : { hour, dayOfWeek },
  };
}

