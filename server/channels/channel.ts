import { z } from "zod";

/** What the dispatcher hands a channel: one rendered message for one customer. */
export const outboundMessageSchema = z.object({
  key: z.string(),
  workspaceId: z.string(),
  customerId: z.string(),
  journeyId: z.string(),
  nodeId: z.string(),
  channel: z.string(),
  to: z.string().nullable().default(null),
  subject: z.string().nullable().default(null),
  body: z.string(),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type OutboundMessage = z.infer<typeof outboundMessageSchema>;

export type SendResult = { ok: true; detail?: string } | { ok: false; retryable: boolean; error: string };

/** One adapter per channel behind one interface. `config` is the workspace's channel settings (already parsed). */
export type ChannelAdapter<C> = {
  configSchema: z.ZodType<C>;
  send(message: OutboundMessage, config: C): Promise<SendResult>;
};
