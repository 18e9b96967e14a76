import { z } from "zod";
import type { ChannelAdapter } from "./channel";

/**
 * The sandbox channel: nothing leaves the machine; the message is kept in the
 * outbox with status `sent` and shown on the Outbox page. The default for every
 * channel that has no configuration, so dev and demos never message anyone.
 */
export const logChannel: ChannelAdapter<Record<string, never>> = {
  configSchema: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  async send() {
    return { ok: true, detail: "sandbox (log channel)" };
  },
};
