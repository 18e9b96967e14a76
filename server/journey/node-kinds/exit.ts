import { z } from "zod";
import { defineNodeKind } from "./kind";

export const exitConfigSchema = z.object({}).strict();
export type ExitConfig = z.infer<typeof exitConfigSchema>;

export const exitKind = defineNodeKind<ExitConfig>({
  kind: "exit",
  label: "Exit",
  description: "End the journey for the customer.",
  family: "exit",
  configSchema: exitConfigSchema,
  defaultConfig: {},
  handles: () => [],
  requiredHandles: () => [],
  summary: () => "End of journey",
  run: () => ({ kind: "exit", reason: "completed" }),
  conditions: () => [],
  onMainPath: true,
});
