import { z } from "zod";
import { signPayload } from "@/server/ingest/verify-signature";
import type { ChannelAdapter } from "./channel";

export const webhookConfigSchema = z.object({
  url: z.url().refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL"),
  secret: z.string().min(8),
  timeoutMs: z.number().int().min(100).max(30_000).default(5_000),
});
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

/**
 * POSTs the message as JSON, signed like incoming webhooks
 * (`X-Waymark-Signature: t=…,v1=HMAC-SHA256("t.body")`) and carrying
 * `Idempotency-Key: <outbox key>` so a receiver can drop a repeat after a crash.
 * 2xx is sent; 408, 429 and 5xx and network errors are retried; other 4xx are final.
 */
export const webhookChannel: ChannelAdapter<WebhookConfig> = {
  configSchema: webhookConfigSchema,
  async send(message, config) {
    const body = JSON.stringify({
      id: message.key,
      type: "message",
      channel: message.channel,
      workspaceId: message.workspaceId,
      customerId: message.customerId,
      journey: message.journeyId,
      node: message.nodeId,
      to: message.to,
      subject: message.subject,
      body: message.body,
      data: message.data,
    });
    try {
      const res = await fetch(config.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "idempotency-key": message.key,
          "x-waymark-signature": signPayload(config.secret, body, Math.floor(Date.now() / 1000)),
          "user-agent": "Waymark-Webhook/1",
        },
        body,
        signal: AbortSignal.timeout(config.timeoutMs),
        redirect: "manual",
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true, detail: `HTTP ${res.status}` };
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      return { ok: false, retryable, error: `HTTP ${res.status} from ${new URL(config.url).host}` };
    } catch (err) {
      const reason = err instanceof Error ? (err.name === "TimeoutError" ? `timed out after ${config.timeoutMs} ms` : err.message) : String(err);
      return { ok: false, retryable: true, error: reason };
    }
  },
};
