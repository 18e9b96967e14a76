import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { fail, ok, type Result } from "@/server/result";
import { channelSettings } from "@/db/schema";
import { channels, channelSchema, type Channel } from "@/server/journey/schema";
import { openSecret, sealSecret, SecretUnreadableError } from "@/server/secrets";
import { emailConfigSchema } from "./email-channel";
import { webhookConfigSchema } from "./webhook-channel";

/**
 * How a workspace delivers one channel: `log` (the sandbox: nothing leaves,
 * the default for any channel without settings), `webhook` (POST to a URL;
 * usable for sms, push and in_app through your own gateway) or `smtp` (email).
 */
export const channelProviderSchema = z.discriminatedUnion("provider", [
  z.object({ provider: z.literal("log") }),
  webhookConfigSchema.extend({ provider: z.literal("webhook") }),
  emailConfigSchema.extend({ provider: z.literal("smtp") }),
]);
export type ChannelProvider = z.infer<typeof channelProviderSchema>;

/** Settings that cannot be used: the message fails with `error`; `retryable` when a fix on the server's side (its key) would let it go. */
export type UnusableChannel = { provider: "invalid"; error: string; retryable?: boolean };

export async function loadChannelProvider(db: Db, workspaceId: string, channel: string): Promise<ChannelProvider | UnusableChannel> {
  const row = await db.query.channelSettings.findFirst({
    where: and(eq(channelSettings.workspaceId, workspaceId), eq(channelSettings.channel, channel)),
  });
  return row ? usableProvider(row.config, workspaceId, channel) : { provider: "log" };
}

/**
 * The provider of stored settings (a channel_settings row's config), as
 * loadChannelProvider gives it; settings not stored mean `log`. Memoised by
 * the stored text, so a worker that reads the settings with every batch opens
 * their secrets once, not per message (a changed setting is a new text).
 */
const opened = new Map<string, ChannelProvider | UnusableChannel>();
export function providerFromStored(stored: Record<string, unknown> | undefined, workspaceId: string, channel: string): ChannelProvider | UnusableChannel {
  if (!stored) return { provider: "log" };
  const k = `${workspaceId}\u0000${channel}\u0000${JSON.stringify(stored)}`;
  let provider = opened.get(k);
  if (!provider) {
    provider = usableProvider(stored, workspaceId, channel);
    // A key the server cannot read yet may become readable (its key restored): only usable settings are kept.
    if (provider.provider !== "invalid") {
      if (opened.size >= 1_000) opened.clear();
      opened.set(k, provider);
    }
  }
  return provider;
}

/** A stored row's settings with their secrets opened, checked: what the dispatcher uses, or why it cannot. */
function usableProvider(stored: Record<string, unknown>, workspaceId: string, channel: string): ChannelProvider | UnusableChannel {
  let config: Record<string, unknown>;
  try {
    config = openSecretFields(stored, workspaceId, channel);
  } catch (e) {
    if (e instanceof SecretUnreadableError) return { provider: "invalid", error: e.message, retryable: true };
    throw e;
  }
  const parsed = channelProviderSchema.safeParse(config);
  return parsed.success ? parsed.data : { provider: "invalid", error: `Channel ${channel} settings are invalid: ${parsed.error.issues[0]?.message}` };
}

export async function saveChannelProvider(db: Db, workspaceId: string, channel: string, config: ChannelProvider): Promise<void> {
  const sealed = sealSecretFields(config, workspaceId, channel);
  await db
    .insert(channelSettings)
    .values({ workspaceId, channel, config: sealed })
    .onConflictDoUpdate({ target: [channelSettings.workspaceId, channelSettings.channel], set: { config: sealed, updatedAt: new Date() } });
}

/** The fields of a channel's settings that are secrets: sealed at rest (server/secrets.ts), never sent back to the browser. */
export const secretFields = ["secret", "pass"] as const;
const purpose = (workspaceId: string, channel: string, field: string) => `channel:${workspaceId}:${channel}:${field}`;

function sealSecretFields(config: ChannelProvider, workspaceId: string, channel: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const f of secretFields) if (typeof out[f] === "string") out[f] = sealSecret(out[f], purpose(workspaceId, channel, f));
  return out;
}

function openSecretFields(config: Record<string, unknown>, workspaceId: string, channel: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const f of secretFields) if (typeof out[f] === "string") out[f] = openSecret(out[f], purpose(workspaceId, channel, f));
  return out;
}


/** A channel's settings as the settings page sees them: no secret leaves the server, only whether one is set. */
export type ChannelSummary = {
  channel: Channel;
  config: Record<string, unknown>;
  secretsSet: string[];
  updatedAt: Date | null;
  error: string | null;
};

export async function listChannelProviders(db: Db, workspaceId: string): Promise<ChannelSummary[]> {
  const rows = await db.query.channelSettings.findMany({ where: eq(channelSettings.workspaceId, workspaceId) });
  return channels.map((channel) => {
    const row = rows.find((r) => r.channel === channel);
    if (!row) return { channel, config: { provider: "log" }, secretsSet: [], updatedAt: null, error: null };
    const config: Record<string, unknown> = { ...row.config };
    const secretsSet = secretFields.filter((f) => typeof config[f] === "string" && config[f] !== "");
    for (const f of secretFields) delete config[f];
    const usable = usableProvider(row.config, workspaceId, channel);
    return { channel, config, secretsSet, updatedAt: row.updatedAt, error: usable.provider === "invalid" ? usable.error : null };
  });
}

/**
 * What the settings form sends: like the stored settings, but a secret left
 * blank keeps the one already saved (the form never sees it).
 */
export const channelFormSchema = z.object({
  channel: channelSchema,
  config: z.discriminatedUnion("provider", [
    z.object({ provider: z.literal("log") }),
    webhookConfigSchema.extend({ provider: z.literal("webhook"), secret: z.string().optional() }),
    emailConfigSchema.extend({ provider: z.literal("smtp") }),
  ]),
});
export type ChannelForm = z.infer<typeof channelFormSchema>;

/** Validates and saves a channel's settings from the form; nothing changes when they are invalid. */
export async function saveChannelForm(db: Db, workspaceId: string, form: ChannelForm): Promise<Result<ChannelProvider>> {
  if (form.config.provider === "smtp" && form.channel !== "email") return fail("invalid", "SMTP can only deliver the email channel.");
  const merged: Record<string, unknown> = { ...form.config };
  const existing = await db.query.channelSettings.findFirst({ where: and(eq(channelSettings.workspaceId, workspaceId), eq(channelSettings.channel, form.channel)) });
  for (const f of secretFields) {
    if (merged[f] !== undefined && merged[f] !== "") continue;
    delete merged[f];
    const kept = existing?.config[f];
    if (typeof kept !== "string" || existing?.config.provider !== form.config.provider) continue;
    try {
      merged[f] = openSecret(kept, purpose(workspaceId, form.channel, f));
    } catch (e) {
      if (e instanceof SecretUnreadableError) return fail("invalid", `The saved ${f === "pass" ? "password" : "secret"} cannot be read with this server's key: enter it again.`);
      throw e;
    }
  }
  const parsed = channelProviderSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".");
    return fail("invalid", field === "secret" && merged.secret === undefined ? "Enter a signing secret (at least 8 characters) for the webhook." : `${field ? `${field}: ` : ""}${issue.message}`);
  }
  await saveChannelProvider(db, workspaceId, form.channel, parsed.data);
  return ok(parsed.data);
}
