import { sql } from "drizzle-orm";
import { executePrepared, intArray, type Db } from "@/db/client";
import type { outbox } from "@/db/schema";
import type { OutboundMessage, SendResult } from "./channel";
import { loadChannelProvider, type ChannelProvider, type UnusableChannel } from "./channel-settings";
import { emailChannel } from "./email-channel";
import { logChannel } from "./log-channel";
import { webhookChannel } from "./webhook-channel";
import { storableText } from "@/server/journey/unstorable-text";

export type DispatchOptions = {
  limit?: number;
  /** Attempts before a message is dead-lettered. */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt (with jitter), capped at one hour. */
  baseDelayMs?: number;
  /** How long a claimed message is hidden from other dispatchers while it is being sent. */
  leaseMs?: number;
  /** Only this workspace's messages (a test's own, in a database other tests share); the worker dispatches every workspace's. */
  workspaceId?: string;
};

type OutboxRow = typeof outbox.$inferSelect;

/**
 * Claims due messages (SKIP LOCKED, with a lease so a crashed dispatcher's
 * messages come back), sends each through its channel, and records the result:
 * sent, retrying with exponential backoff, or dead after `maxAttempts`.
 * Delivery is at least once on the wire; every message carries its unique
 * outbox key (Idempotency-Key) so a receiver can drop the rare repeat after a crash.
 */
export async function dispatchDueMessages(db: Db, opts: DispatchOptions = {}): Promise<{ sent: number; retrying: number; dead: number }> {
  const { limit = 100, maxAttempts = 6, baseDelayMs = 2_000, leaseMs = 60_000, workspaceId } = opts;
  const claimed = (await executePrepared(db, sql`
    update outbox set attempts = attempts + 1, next_attempt_at = now() + ${`${leaseMs} milliseconds`}::interval
    where id in (
      select id from outbox
      where status in ('pending', 'retrying') and next_attempt_at <= now()
        ${workspaceId ? sql`and workspace_id = ${workspaceId}::uuid` : sql``}
      order by next_attempt_at
      limit ${limit}
      for update skip locked
    )
    returning id, workspace_id as "workspaceId", key, customer_id as "customerId", journey_id as "journeyId",
              node_id as "nodeId", channel, payload, attempts
  `)) as unknown as ClaimedMessage[];

  // One settings lookup per (workspace, channel) per claim, not one per message.
  const providers = new Map<string, Promise<ChannelProvider | UnusableChannel>>();
  const providerFor = (workspaceId: string, channel: string) => {
    const k = `${workspaceId}\u0000${channel}`;
    let p = providers.get(k);
    if (!p) providers.set(k, (p = loadChannelProvider(db, workspaceId, channel)));
    return p;
  };
  return sendClaimed(db, claimed, providerFor, { maxAttempts, baseDelayMs });
}

type ClaimedMessage = Pick<OutboxRow, "id" | "workspaceId" | "key" | "customerId" | "journeyId" | "nodeId" | "channel" | "payload" | "attempts">;

/**
 * Sends messages already claimed for this dispatcher (attempts counted, lease
 * taken): by dispatchDueMessages' claim, or written leased by the runtime batch
 * that queued them (writeOutcomes' `leaseMessagesMs`), which sends them as soon
 * as it commits instead of claiming them again. Records each outcome as
 * dispatchDueMessages does.
 */
export async function sendClaimed(
  db: Db,
  claimed: ClaimedMessage[],
  providerFor: (workspaceId: string, channel: string) => ChannelProvider | UnusableChannel | Promise<ChannelProvider | UnusableChannel>,
  opts: Pick<DispatchOptions, "maxAttempts" | "baseDelayMs"> = {},
): Promise<{ sent: number; retrying: number; dead: number }> {
  const { maxAttempts = 6, baseDelayMs = 2_000 } = opts;
  const counts = { sent: 0, retrying: 0, dead: 0 };
  if (claimed.length === 0) return counts;
  const record = recorderOf(db);
  await Promise.all(
    claimed.map(async (row) => {
      const result = await sendOne(row, await providerFor(row.workspaceId, row.channel));
      if (result.ok) {
        counts.sent++;
        await record({ id: row.id, attempts: row.attempts, status: "sent", result: result.detail ?? null, delayMs: null, at: Date.now() });
      } else if (!result.retryable || row.attempts >= maxAttempts) {
        counts.dead++;
        await record({ id: row.id, attempts: row.attempts, status: "dead", result: result.error, delayMs: null, at: Date.now() });
      } else {
        counts.retrying++;
        const delay = Math.min(3_600_000, baseDelayMs * 2 ** (row.attempts - 1) * (0.8 + 0.4 * Math.random()));
        await record({ id: row.id, attempts: row.attempts, status: "retrying", result: result.error, delayMs: Math.round(delay), at: Date.now() });
      }
    }),
  );
  return counts;
}

/**
 * `at`: when the send ended (ms since the epoch): a sent message's sent_at, however long its outcome waits to be written.
 * `attempts`: the attempt this send was (the claim's count), so that an outcome that comes too late is told apart.
 */
export type Outcome = { id: number; attempts: number; status: "sent" | "dead" | "retrying"; result: string | null; delayMs: number | null; at: number };

/**
 * One outcome per message, for one write: two sends of one message can land in
 * the same write (a late send of an earlier claim and the latest claim's).
 * A delivery wins (the message did go out), else the latest claim's.
 */
export function outcomePerMessage(outcomes: Outcome[]): Outcome[] {
  const byId = new Map<number, Outcome>();
  for (const o of outcomes) {
    const kept = byId.get(o.id);
    if (!kept || (kept.status !== "sent" && (o.status === "sent" || o.attempts > kept.attempts))) byId.set(o.id, o);
  }
  return [...byId.values()];
}

/**
 * Records send outcomes as they come, coalesced: an outcome waits up to
 * `lingerMs` for others, and those that arrive while a write is in flight go
 * together in the next one (one statement, one commit, for many messages
 * instead of one each). One recorder per database handle, so the sends of
 * several batches (a worker claims the next batch while one's messages are on
 * the wire) share statements. Each `record` resolves once its outcome is
 * stored; a write that fails rejects every outcome it carried (those messages
 * come back after their lease).
 */
const recorders = new WeakMap<Db, (o: Outcome) => Promise<void>>();
function recorderOf(db: Db): (o: Outcome) => Promise<void> {
  let r = recorders.get(db);
  if (!r) recorders.set(db, (r = outcomeRecorder(db)));
  return r;
}
/**
 * How long a first outcome waits for others before it is written: far inside
 * the send's lease (a minute), so a message is never claimed again while its
 * outcome waits. Under load, one statement and one commit then record the
 * sends of many batches. A crash in this window sends those messages again
 * after their lease, as a crash during the send would (at least once on the
 * wire; receivers drop repeats by Idempotency-Key).
 */
const lingerMs = 50;

function outcomeRecorder(db: Db): (o: Outcome) => Promise<void> {
  let pending: { outcome: Outcome; done: () => void; failed: (e: unknown) => void }[] = [];
  let writing = false;
  const flush = async () => {
    writing = true;
    while (pending.length > 0) {
      const group = pending;
      pending = [];
      // By primary key, with each message's outcome looked up by its id: a join with the outcomes' rows was planned
      // (generic plan, 100 rows expected) as a hash join over every row of the outbox.
      // Only a message still in flight takes an outcome (sent and dead are final), and only from the send of its latest
      // claim, or a `sent` from any: a send that outlasted its lease, recording `retrying` after a second claim's send
      // recorded `sent`, would have the message sent a third time.
      const kept = outcomePerMessage(group.map((g) => g.outcome));
      // Not tried again if it fails: a retry opens a new session, which can outlive a stopping worker's ended ones and
      // wait on whatever lock they waited on (worker-stop.int.test caught one). The messages come back after their lease.
      try {
        await executePrepared(db, sql`
          with v as (select ${JSON.stringify(Object.fromEntries(kept.map((o) => [String(o.id), o])))}::jsonb as m)
          update outbox o set
            status = v.m -> o.id::text ->> 'status',
            sent_at = case when v.m -> o.id::text ->> 'status' = 'sent' then to_timestamp((v.m -> o.id::text ->> 'at')::float8 / 1000) else o.sent_at end,
            last_result = v.m -> o.id::text ->> 'result',
            next_attempt_at = case when v.m -> o.id::text ->> 'status' = 'retrying'
              then now() + (v.m -> o.id::text ->> 'delayMs')::int * interval '1 millisecond' else o.next_attempt_at end
          from v
          where o.id = any(${intArray(kept.map((o) => o.id))}::bigint[])
            and o.status in ('pending', 'retrying')
            and (o.attempts = (v.m -> o.id::text ->> 'attempts')::int or v.m -> o.id::text ->> 'status' = 'sent')`);
        for (const g of group) g.done();
      } catch (err) {
        for (const g of group) g.failed(err);
      }
    }
    writing = false;
  };
  return (outcome) =>
    new Promise<void>((done, failed) => {
      // A provider's answer text goes in a JSON parameter: NUL and lone surrogates (which jsonb refuses, failing
      // every outcome written with it) become U+FFFD.
      if (outcome.result !== null) outcome = { ...outcome, result: storableText(outcome.result) };
      pending.push({ outcome, done, failed });
      if (!writing) {
        writing = true;
        setTimeout(() => void flush(), lingerMs);
      }
    });
}

async function sendOne(row: Pick<OutboxRow, "workspaceId" | "key" | "customerId" | "journeyId" | "nodeId" | "channel" | "payload">, provider: ChannelProvider | UnusableChannel): Promise<SendResult> {
  const p = row.payload as { to?: string | null; subject?: string | null; body?: string; data?: Record<string, unknown> };
  const message: OutboundMessage = {
    key: row.key,
    workspaceId: row.workspaceId,
    customerId: row.customerId,
    journeyId: row.journeyId,
    nodeId: row.nodeId,
    channel: row.channel,
    to: p.to ?? null,
    subject: p.subject ?? null,
    body: p.body ?? "",
    data: p.data ?? {},
  };
  return sendWith(provider, message);
}

/** Sends one message through the adapter a channel's settings name (also the settings page's "Send a test"). */
export function sendWith(provider: ChannelProvider | UnusableChannel, message: OutboundMessage): Promise<SendResult> {
  switch (provider.provider) {
    case "log":
      return logChannel.send(message, {});
    case "webhook":
      return webhookChannel.send(message, provider);
    case "smtp":
      return emailChannel.send(message, provider);
    case "invalid":
      return Promise.resolve({ ok: false, retryable: provider.retryable ?? false, error: provider.error });
    default:
      return assertNever(provider);
  }
}

function assertNever(x: never): never {
  throw new Error(`unhandled provider ${JSON.stringify(x)}`);
}
