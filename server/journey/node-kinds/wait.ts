import { z } from "zod";
import { addDuration, formatDuration, parseDuration } from "../durations";
import { nextLocalTime, parseClock } from "../local-time";
import { clockSchema, durationSchema } from "../schema";
import { defineNodeKind } from "./kind";

/** Wait a duration, until the next local time of day, or until the customer's best hour. */
export const waitConfigSchema = z
  .object({
    for: durationSchema.optional(),
    until: z.union([z.object({ time: clockSchema }).strict(), z.literal("best_time")]).optional(),
  })
  .strict()
  .refine((c) => (c.for ? 1 : 0) + (c.until ? 1 : 0) === 1, { message: "has no duration: set for (e.g. PT1H) or until (a time, or best_time)" });
export type WaitConfig = z.infer<typeof waitConfigSchema>;

export const waitKind = defineNodeKind<WaitConfig>({
  kind: "wait",
  label: "Wait",
  description: "Pause for a while, until a time of day, or until the customer's best time.",
  family: "flow",
  configSchema: waitConfigSchema,
  defaultConfig: { for: "PT1H" },
  handles: () => ["next"],
  requiredHandles: () => ["next"],
  summary: (c) => (c.for ? `Wait ${formatDuration(c.for)}` : c.until === "best_time" ? "Wait for best time" : `Wait until ${c.until?.time}`),
  run: (c, rt) => {
    if (c.for) return { kind: "wait", until: addDuration(rt.now, parseDuration(c.for)!, rt.tz) };
    const clock = c.until === "best_time" ? { hour: rt.bestHour(), minute: 0 } : parseClock(c.until!.time)!;
    return { kind: "wait", until: nextLocalTime(rt.now, clock, rt.tz) };
  },
  conditions: () => [],
  onMainPath: true,
});
