import { z } from "zod";
import { conditionSchema } from "../conditions";
import { durationSchema } from "../schema";
import { formatDuration } from "../durations";
import { defineNodeKind, goNext } from "./kind";
import { describeCondition } from "../condition-text";

/**
 * Entry point: an event (+ where), a behaviour (N events within a window,
 * without another event), or a predictive score crossing a threshold upwards.
 * `key` (a path such as event.properties.cartId) keeps one instance per key.
 */
export const triggerConfigSchema = z
  .object({
    event: z.string().min(1).max(200).optional(),
    where: conditionSchema.optional(),
    behavior: z
      .object({ event: z.string().min(1).max(200), atLeast: z.number().int().min(1).max(10_000), within: durationSchema, without: z.string().min(1).max(200).optional() })
      .strict()
      .optional(),
    score: z.object({ name: z.string().min(1).max(100), gte: z.number() }).strict().optional(),
    key: z.string().regex(/^event\.[A-Za-z0-9_.]+$/, "key must be an event path such as event.properties.cartId").optional(),
  })
  .strict()
  .refine((c) => [c.event, c.behavior, c.score].filter(Boolean).length === 1, {
    message: "A trigger needs exactly one of: an event, a behaviour or a score",
  });
export type TriggerConfig = z.infer<typeof triggerConfigSchema>;

export const triggerKind = defineNodeKind<TriggerConfig>({
  kind: "trigger",
  label: "Trigger",
  description: "Customers enter when an event, a behaviour or a predictive score happens.",
  family: "trigger",
  configSchema: triggerConfigSchema,
  defaultConfig: { event: "cart_abandoned" },
  handles: () => ["next"],
  requiredHandles: () => ["next"],
  summary: (c) =>
    c.behavior
      ? `${c.behavior.atLeast}× ${c.behavior.event} within ${formatDuration(c.behavior.within)}${c.behavior.without ? ` without ${c.behavior.without}` : ""}`
      : c.score
        ? `${c.score.name} ≥ ${c.score.gte}`
        : `On ${c.event}${c.where ? ` · when ${describeCondition(c.where)}` : ""}`,
  run: () => goNext,
  conditions: (c) => [c.where],
  onMainPath: true,
});
