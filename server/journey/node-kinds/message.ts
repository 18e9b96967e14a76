import { z } from "zod";
import { channelSchema } from "../schema";
import { defineNodeKind } from "./kind";

const channelLabels = { email: "Email", sms: "SMS", push: "Push", in_app: "In-app", webhook: "Webhook" } as const;

export const messageConfigSchema = z
  .object({
    channel: channelSchema,
    template: z.string().min(1, "The message has no text").max(20_000),
    subject: z.string().max(300).optional(),
  })
  .strict();
export type MessageConfig = z.infer<typeof messageConfigSchema>;

export const messageKind = defineNodeKind<MessageConfig>({
  kind: "message",
  label: "Message",
  description: "Send an email, SMS, push, in-app message or webhook, through the guardrails.",
  family: "message",
  configSchema: messageConfigSchema,
  defaultConfig: { channel: "email", subject: "We saved your cart", template: "Hi {{traits.firstName}}, your cart is waiting." },
  handles: () => ["next"],
  requiredHandles: () => [],
  summary: (c) => `${channelLabels[c.channel]} · ${c.subject ?? c.template.slice(0, 60)}`,
  run: (c, rt) => rt.sendMessage(c),
  conditions: () => [],
  onMainPath: true,
});
