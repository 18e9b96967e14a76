import { z } from "zod";
import { formatDuration } from "../durations";
import { frequencyCapSchema, quietHoursSchema } from "../schema";
import { defineNodeKind } from "./kind";

/** Journey-wide limits checked before every message: frequency caps (all journeys' sends count), quiet hours. */
export const guardrailConfigSchema = z
  .object({
    frequencyCap: z.array(frequencyCapSchema).default([]),
    quietHours: quietHoursSchema.optional(),
    onCapped: z.enum(["skip", "exit"]).default("skip"),
  })
  .strict();
export type GuardrailConfig = z.infer<typeof guardrailConfigSchema>;

export const guardrailKind = defineNodeKind<GuardrailConfig>({
  kind: "guardrail",
  label: "Guardrail",
  description: "Frequency caps and quiet hours for every message of this journey.",
  family: "guardrail",
  configSchema: guardrailConfigSchema,
  defaultConfig: { frequencyCap: [{ channel: "any", max: 2, per: "P1D" }], onCapped: "skip" },
  handles: () => [],
  requiredHandles: () => [],
  summary: (c) =>
    [
      ...c.frequencyCap.map((f) => `≤ ${f.max} ${f.channel === "any" ? "messages" : f.channel} / ${formatDuration(f.per)}`),
      c.quietHours ? `quiet ${c.quietHours.start}–${c.quietHours.end}` : "",
    ]
      .filter(Boolean)
      .join(" · ") || "No limits",
  conditions: () => [],
  onMainPath: false,
});
