import nodemailer from "nodemailer";
import { z } from "zod";
import type { ChannelAdapter } from "./channel";

export const emailConfigSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  secure: z.boolean().default(false),
  user: z.string().optional(),
  pass: z.string().optional(),
  from: z.string().min(3),
  /** Lets tests and local relays without certificates work; keep true in production. */
  requireTls: z.boolean().default(false),
});
export type EmailConfig = z.infer<typeof emailConfigSchema>;

const transports = new Map<string, nodemailer.Transporter>();

function transportFor(config: EmailConfig) {
  const id = JSON.stringify(config);
  let t = transports.get(id);
  if (!t) {
    t = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      requireTLS: config.requireTls,
      ignoreTLS: !config.requireTls && !config.secure,
      auth: config.user ? { user: config.user, pass: config.pass ?? "" } : undefined,
      connectionTimeout: 5_000,
      socketTimeout: 10_000,
    });
    transports.set(id, t);
  }
  return t;
}

/** Email over SMTP (nodemailer). 4xx SMTP replies are retried, 5xx are final. */
export const emailChannel: ChannelAdapter<EmailConfig> = {
  configSchema: emailConfigSchema,
  async send(message, config) {
    if (!message.to) return { ok: false, retryable: false, error: "The customer has no email address (traits.email)" };
    try {
      const info = await transportFor(config).sendMail({
        from: config.from,
        to: message.to,
        subject: message.subject ?? "",
        text: message.body,
        messageId: `<${message.key.replace(/[^A-Za-z0-9.:_-]/g, "-")}@waymark>`,
        headers: { "X-Waymark-Key": message.key },
      });
      return { ok: true, detail: info.response };
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      return { ok: false, retryable: !code || code < 500, error: err instanceof Error ? err.message : String(err) };
    }
  },
};
