import { z } from "zod";
import { conditionSchema } from "../conditions";
import { addDuration, formatDuration, parseDuration } from "../durations";
import { durationSchema } from "../schema";
import { defineNodeKind } from "./kind";

export const waitForEventConfigSchema = z
  .object({ event: z.string().min(1, "Which event to wait for?").max(200), where: conditionSchema.optional(), timeout: durationSchema })
  .strict();
export type WaitForEventConfig = z.infer<typeof waitForEventConfigSchema>;

export const waitForEventKind = defineNodeKind<WaitForEventConfig>({
  kind: "wait_for_event",
  label: "Wait for event",
  description: "Wait until the customer does something, or give up after a timeout.",
  family: "flow",
  configSchema: waitForEventConfigSchema,
  defaultConfig: { event: "order_completed", timeout: "P1D" },
  handles: () => ["event", "timeout"],
  requiredHandles: () => ["event", "timeout"],
  summary: (c) => `Wait for ${c.event} · up to ${formatDuration(c.timeout)}`,
  run: (c, rt) => ({ kind: "await_event", until: addDuration(rt.now, parseDuration(c.timeout)!, rt.tz) }),
  conditions: (c) => [c.where],
  onMainPath: true,
});
