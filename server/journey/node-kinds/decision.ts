import { z } from "zod";
import { conditionSchema } from "../conditions";
import { channelSchema } from "../schema";
import { handleName } from "./branch";
import { defineNodeKind } from "./kind";

/** The AI decision node: picks one option per customer by policy; `fallback` when none is eligible or the model fails. */
export const decisionConfigSchema = z
  .object({
    policy: z.enum(["bandit", "model", "rules"]).default("bandit"),
    options: z
      .array(z.object({ handle: handleName, label: z.string().max(100).optional(), channel: channelSchema.optional(), when: conditionSchema.optional() }).strict())
      .min(1, "A decision needs at least one option"),
  })
  .strict()
  .refine((c) => new Set(c.options.map((o) => o.handle)).size === c.options.length && !c.options.some((o) => o.handle === "fallback"), {
    message: "Option handles must be unique and not 'fallback'",
  });
export type DecisionConfig = z.infer<typeof decisionConfigSchema>;

export const decisionKind = defineNodeKind<DecisionConfig>({
  kind: "decision",
  label: "Decision",
  description: "Next best action: the policy picks each customer's option and learns from the goal.",
  family: "decision",
  configSchema: decisionConfigSchema,
  defaultConfig: { policy: "bandit", options: [{ handle: "email_offer", label: "Email offer", channel: "email" }, { handle: "push_nudge", label: "Push nudge", channel: "push" }] },
  handles: (c) => [...c.options.map((o) => o.handle), "fallback"],
  requiredHandles: (c) => [...c.options.map((o) => o.handle), "fallback"],
  summary: (c) => `${c.policy === "bandit" ? "Bandit" : c.policy === "model" ? "AI model" : "Rules"} · ${c.options.map((o) => o.label ?? o.handle).join(" / ")}`,
  run: (c, rt) => ({ kind: "go", handle: rt.decide(c) }),
  conditions: (c) => c.options.map((o) => o.when),
  onMainPath: true,
});
