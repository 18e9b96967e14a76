import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { channelSettings } from "@/db/schema";
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

export async function loadChannelProvider(db: Db, workspaceId: string, channel: string): Promise<ChannelProvider | { provider: "invalid"; error: string }> {
  const row = await db.query.channelSettings.findFirst({
    where: and(eq(channelSettings.workspaceId, workspaceId), eq(channelSettings.channel, channel)),
  });
  if (!row) return { provider: "log" };
  const parsed = channelProviderSchema.safeParse(row.config);
  return parsed.success ? parsed.data : { provider: "invalid", error: `Channel ${channel} settings are invalid: ${parsed.error.issues[0]?.message}` };
}

export async function saveChannelProvider(db: Db, workspaceId: string, channel: string, config: ChannelProvider): Promise<void> {
  await db
    .insert(channelSettings)
    .values({ workspaceId, channel, config })
    .onConflictDoUpdate({ target: [channelSettings.workspaceId, channelSettings.channel], set: { config, updatedAt: new Date() } });
}
