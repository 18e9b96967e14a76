import type { Program } from "./compile";
import type { ConditionScope } from "./conditions";
import { isTimeZone } from "./local-time";
import type { StepRun } from "./advance";
import type { EngineEvent } from "./step-types";

/** The journey's time zone for this customer: the journey's own, else the customer's `timezone` trait, else UTC. */
export function customerTimezone(program: Program | null, traits: Record<string, unknown>): string {
  if (program && program.timezone !== "customer") return program.timezone;
  const tz = traits.timezone;
  return typeof tz === "string" && isTimeZone(tz) ? tz : "UTC";
}

export function scopeFor(run: StepRun, program: Program | null, event: EngineEvent | undefined): ConditionScope {
  // Hour and day of the week as numbers, from the step's clock (no object per scope, and the zone's offset once per step).
  const tz = customerTimezone(program, run.state.traits);
  const hour = run.hourIn(tz);
  const dayOfWeek = run.dayOfWeekIn(tz);
  const channel = run.state.traits.preferredChannel;
  return {
    event: event ? { name: event.name, properties: event.properties } : undefined,
    traits: run.state.traits,
    scores: run.scores,
    // Two literals rather than a spread of a conditional object: one fewer object, and no property copy, per scope.
    context: typeof channel === "string" ? { hour, dayOfWeek, channel } : { hour, dayOfWeek },
  };
}

