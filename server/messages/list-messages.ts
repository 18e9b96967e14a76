import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { effectStatuses, outbox } from "@/db/schema";

export const listMessagesInputSchema = z.object({
  status: z.enum(effectStatuses).optional(),
  customerId: z.string().max(256).optional(),
  /** Keyset pagination: the id of the last row already shown. */
  cursor: z.number().int().positive().nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});
export type ListMessagesInput = z.infer<typeof listMessagesInputSchema>;

export const messageRowSchema = z.object({
  id: z.number(),
  key: z.string(),
  customerId: z.string(),
  journeyId: z.string(),
  nodeId: z.string(),
  channel: z.string(),
  status: z.enum(effectStatuses),
  attempts: z.number(),
  lastResult: z.string().nullable(),
  subject: z.string().nullable(),
  body: z.string(),
  createdAt: z.date(),
  sentAt: z.date().nullable(),
});
export type MessageRow = z.infer<typeof messageRowSchema>;

/** The workspace's outgoing messages, newest first: what the log (sandbox) channel "sent" and every real delivery. */
export async function listMessages(db: Db, workspaceId: string, input: ListMessagesInput): Promise<MessageRow[]> {
  const filters: SQL[] = [eq(outbox.workspaceId, workspaceId)];
  if (input.status) filters.push(eq(outbox.status, input.status));
  if (input.customerId) filters.push(eq(outbox.customerId, input.customerId));
  if (input.cursor) filters.push(lt(outbox.id, input.cursor));
  const rows = await db
    .select()
    .from(outbox)
    .where(and(...filters))
    .orderBy(desc(outbox.id))
    .limit(input.limit);
  return rows.map((r) => {
    const p = r.payload as { subject?: string | null; body?: string };
    return {
      id: r.id,
      key: r.key,
      customerId: r.customerId,
      journeyId: r.journeyId,
      nodeId: r.nodeId,
      channel: r.channel,
      status: r.status,
      attempts: r.attempts,
      lastResult: r.lastResult,
      subject: p.subject ?? null,
      body: p.body ?? "",
      createdAt: r.createdAt,
      sentAt: r.sentAt,
    };
  });
}
