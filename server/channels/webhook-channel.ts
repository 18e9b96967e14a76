import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { z } from "zod";
import { signPayload } from "@/server/ingest/verify-signature";
import type { ChannelAdapter, SendResult } from "./channel";

export const webhookConfigSchema = z.object({
  url: z.url().refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL"),
  secret: z.string().min(8),
  timeoutMs: z.number().int().min(100).max(30_000).default(5_000),
});
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

/**
 * Connections are kept open between messages (a worker sends a batch's
 * messages at once, then the next batch's): at most this many per receiver,
 * the rest wait their turn, for at most queueLimitMs.
 */
const maxSocketsPerHost = 128;
/**
 * How long a message may wait for a connection before it counts as a failed
 * attempt. With the exchange's own timeout (at most 30 s), a send ends within
 * 50 s: inside its lease (a minute), so no other dispatcher claims it while
 * it may still go out.
 */
const queueLimitMs = 20_000;
const agents = {
  "http:": new HttpAgent({ keepAlive: true, maxSockets: maxSocketsPerHost, scheduling: "lifo" }),
  "https:": new HttpsAgent({ keepAlive: true, maxSockets: maxSocketsPerHost, scheduling: "lifo" }),
};

/**
 * POSTs the message as JSON, signed like incoming webhooks
 * (`X-Waymark-Signature: t=…,v1=HMAC-SHA256("t.body")`) and carrying
 * `Idempotency-Key: <outbox key>` so a receiver can drop a repeat after a crash
 * (the key holds the customer id: characters a header cannot carry are
 * percent-encoded, the same way every time; the body's `id` is the key as is).
 * 2xx is sent; 408, 429 and 5xx and network errors are retried; other 4xx are
 * final, as is a redirect (not followed: a signed message goes only where it
 * was configured to). `timeoutMs` bounds the exchange, from the moment it has
 * a connection to the last byte of the answer; waiting for a connection is
 * bounded apart (queueLimitMs).
 *
 * Sent with node:http rather than fetch: undici's fetch built web streams,
 * an AbortSignal and a Response per message, about a fifth of a worker's CPU
 * when each event of a journey sends one (bench:e2e's latency phase).
 */
export const webhookChannel: ChannelAdapter<WebhookConfig> = {
  configSchema: webhookConfigSchema,
  send(message, config) {
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
    return postJson(config.url, body, {
      "content-type": "application/json",
      "idempotency-key": headerSafe(message.key),
      "x-waymark-signature": signPayload(config.secret, body, Math.floor(Date.now() / 1000)),
      "user-agent": "Waymark-Webhook/1",
    }, config.timeoutMs);
  },
};

function postJson(target: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
  return new Promise<SendResult>((resolve) => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return resolve({ ok: false, retryable: false, error: `not a URL: ${target}` });
    }
    const protocol = url.protocol === "https:" ? "https:" : url.protocol === "http:" ? "http:" : null;
    if (!protocol) return resolve({ ok: false, retryable: false, error: `not an http(s) URL: ${target}` });
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    let req: ClientRequest;
    try {
      req = (protocol === "https:" ? httpsRequest : httpRequest)(
        url,
        { method: "POST", agent: agents[protocol], headers: { ...headers, "content-length": Buffer.byteLength(body) } },
        (res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          // The answer is read to its end (and dropped) so the connection can carry the next message.
          res.on("data", () => {});
          res.on("error", (err) => finish({ ok: false, retryable: true, error: err.message }));
          res.on("close", () => {
            if (!res.complete) finish({ ok: false, retryable: true, error: `the connection to ${url.host} closed before the answer was complete` });
          });
          res.on("end", () => {
            if (status >= 200 && status < 300) return finish({ ok: true, detail: `HTTP ${status}` });
            const retryable = status === 408 || status === 429 || status >= 500;
            finish({ ok: false, retryable, error: `HTTP ${status} from ${url.host}` });
          });
        },
      );
    } catch (err) {
      // A request node:http refuses to build (a header it cannot send) would be refused again on every try.
      return finish({ ok: false, retryable: false, error: err instanceof Error ? err.message : String(err) });
    }
    const giveUp = (error: string) => {
      finish({ ok: false, retryable: true, error });
      req.destroy();
    };
    timer = setTimeout(() => giveUp(`no connection to ${url.host} within ${queueLimitMs / 1000} s`), queueLimitMs);
    req.on("socket", () => {
      if (settled) return;
      clearTimeout(timer);
      timer = setTimeout(() => giveUp(`timed out after ${timeoutMs} ms`), timeoutMs);
    });
    req.on("error", (err: NodeJS.ErrnoException) => finish({ ok: false, retryable: true, error: err.code ? `${err.code}: ${err.message}` : err.message }));
    req.end(body);
  });
}

/** A header value node:http can send: printable ASCII kept, any other character percent-encoded as UTF-8 bytes, `%` too so the encoding cannot be mistaken. */
export function headerSafe(value: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(value)) return value;
  return value.replace(/[^\x20-\x24\x26-\x7e]+/g, (run) => [...Buffer.from(run, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""));
}
