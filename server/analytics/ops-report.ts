import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";

export type OpsReport = {
  at: Date;
  ingest: { lastHour: number; lastMinute: number; perMinute: { minute: Date; events: number }[] };
  queue: { unprocessed: number; oldestAgeMs: number | null };
  timers: { pending: number; overdue: number; nextHour: number; oldestOverdueMs: number | null };
  dispatch: { sent24h: number; pending: number; retrying: number; dead24h: number; retries24h: number; perMinute: { minute: Date; sent: number }[] };
  channels: { channel: string; sent: number; retrying: number; dead: number; skipped: number }[];
  errors: { at: Date; journeyId: string; nodeId: string; channel: string; status: string; attempts: number; lastResult: string | null; customerId: string }[];
};

const n = (v: unknown) => Number(v ?? 0);

/**
 * The workspace's runtime at a glance, for the ops dashboard: ingest rate
 * (per minute, last hour), queue lag (age of the oldest unprocessed event),
 * timers due now and within the hour, dispatch by status and channel with
 * retries and dead letters, and the latest delivery errors. Each query is
 * bounded by time or by a partial index, so it stays fast on a big database.
 */
export async function getOpsReport(db: Db, workspaceId: string): Promise<OpsReport> {
  const [ingest, queue, timers, dispatch, channels, errors, [clock]] = await Promise.all([
    db.execute(sql`
      select date_trunc('minute', received_at) as minute, count(*)::int as events
      from events where workspace_id = ${workspaceId} and received_at > now() - interval '1 hour'
      group by 1 order by 1`),
    db.execute(sql`
      select count(*)::int as unprocessed, extract(epoch from (now() - min(e.received_at))) * 1000 as oldest
      from pending_events p join events e on e.id = p.id where e.workspace_id = ${workspaceId}`),
    db.execute(sql`
      select count(*)::int as pending,
        count(*) filter (where due_at <= now())::int as overdue,
        count(*) filter (where due_at <= now() + interval '1 hour')::int as next_hour,
        extract(epoch from (now() - min(due_at) filter (where due_at <= now()))) * 1000 as oldest_overdue
      from timers where workspace_id = ${workspaceId}`),
    db.execute(sql`
      select date_trunc('minute', sent_at) as minute, count(*)::int as sent
      from outbox where workspace_id = ${workspaceId} and created_at > now() - interval '25 hours' and sent_at > now() - interval '1 hour'
      group by 1 order by 1`),
    db.execute(sql`
      select channel,
        count(*) filter (where status = 'sent')::int as sent,
        count(*) filter (where status = 'retrying')::int as retrying,
        count(*) filter (where status = 'dead')::int as dead,
        count(*) filter (where status = 'skipped')::int as skipped,
        count(*) filter (where status = 'pending')::int as pending,
        coalesce(sum(greatest(attempts - 1, 0)), 0)::int as retries
      from outbox where workspace_id = ${workspaceId} and created_at > now() - interval '24 hours'
      group by channel order by channel`),
    db.execute(sql`
      select coalesce(sent_at, next_attempt_at, created_at) as at, journey_id as "journeyId", node_id as "nodeId", channel, status, attempts, last_result as "lastResult", customer_id as "customerId"
      from outbox where workspace_id = ${workspaceId} and status in ('retrying', 'dead') and created_at > now() - interval '24 hours'
      order by created_at desc limit 20`),
    db.execute(sql`select now() as at`),
  ]);
  const perChannel = channels as unknown as { channel: string; sent: number; retrying: number; dead: number; skipped: number; pending: number; retries: number }[];
  const q = (queue as unknown as { unprocessed: number; oldest: string | null }[])[0]!;
  const t = (timers as unknown as { pending: number; overdue: number; next_hour: number; oldest_overdue: string | null }[])[0]!;
  const perMinute = (ingest as unknown as { minute: string | Date; events: number }[]).map((r) => ({ minute: new Date(r.minute), events: n(r.events) }));
  const now = new Date((clock as { at: string | Date }).at);
  const thisMinute = Math.floor(now.getTime() / 60_000) * 60_000;
  return {
    at: now,
    ingest: {
      lastHour: perMinute.reduce((s, r) => s + r.events, 0),
      // The last complete minute: the current one is still filling.
      lastMinute: perMinute.find((r) => r.minute.getTime() === thisMinute - 60_000)?.events ?? 0,
      perMinute,
    },
    queue: { unprocessed: n(q.unprocessed), oldestAgeMs: q.oldest === null ? null : Math.max(0, Math.round(Number(q.oldest))) },
    timers: { pending: n(t.pending), overdue: n(t.overdue), nextHour: n(t.next_hour), oldestOverdueMs: t.oldest_overdue === null ? null : Math.round(Number(t.oldest_overdue)) },
    dispatch: {
      sent24h: perChannel.reduce((s, c) => s + n(c.sent), 0),
      pending: perChannel.reduce((s, c) => s + n(c.pending), 0),
      retrying: perChannel.reduce((s, c) => s + n(c.retrying), 0),
      dead24h: perChannel.reduce((s, c) => s + n(c.dead), 0),
      retries24h: perChannel.reduce((s, c) => s + n(c.retries), 0),
      perMinute: (dispatch as unknown as { minute: string | Date; sent: number }[]).map((r) => ({ minute: new Date(r.minute), sent: n(r.sent) })),
    },
    channels: perChannel.map((c) => ({ channel: c.channel, sent: n(c.sent), retrying: n(c.retrying), dead: n(c.dead), skipped: n(c.skipped) })),
    errors: (errors as unknown as OpsReport["errors"]).map((e) => ({ ...e, at: new Date(e.at), attempts: n(e.attempts) })),
  };
}
