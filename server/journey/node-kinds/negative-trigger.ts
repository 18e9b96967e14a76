import { z } from "zod";
import { conditionSchema } from "../conditions";
import { formatDuration } from "../durations";
import { durationSchema } from "../schema";
import { defineNodeKind } from "./kind";

/**
 * While a customer is in the journey, a matching event exits them, suppresses
 * the journey's messages for a while, or (with a `next` edge) jumps them there.
 * `blockEntryWithin` also refuses entry to anyone who had the event that recently.
 * Decision: a `next` edge wins over `effect: "exit"` (the customer jumps there);
 * with `suppress` and a `next` edge, both happen.
 */
export const negativeTriggerConfigSchema = z
  .object({
    event: z.string().min(1, "Which event pulls customers out?").max(200),
    where: conditionSchema.optional(),
    effect: z.union([z.literal("exit"), z.object({ suppress: durationSchema }).strict()]).default("exit"),
    blockEntryWithin: durationSchema.optional(),
  })
  .strict();
export type NegativeTriggerConfig = z.infer<typeof negativeTriggerConfigSchema>;

export const negativeTriggerKind = defineNodeKind<NegativeTriggerConfig>({
  kind: "negative_trigger",
  label: "Negative trigger",
  description: "Pulls customers out, or holds messages back, when an event happens.",
  family: "negative",
  configSchema: negativeTriggerConfigSchema,
  defaultConfig: { event: "support_ticket_opened", effect: "exit" },
  handles: () => ["next"],
  requiredHandles: () => [],
  summary: (c) =>
    typeof c.effect === "object"
      ? `Hold messages ${formatDuration(c.effect.suppress)} on ${c.event}`
      : `Exit on ${c.event}${c.blockEntryWithin ? ` · blocks entry ${formatDuration(c.blockEntryWithin)}` : ""}`,
  conditions: (c) => [c.where],
  onMainPath: false,
});
