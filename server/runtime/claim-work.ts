import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";

export type ClaimedEvent = {
  id: number;
  workspaceId: string;
  customerId: string;
  type: "track" | "identify";
  name: string;
  userId: string | null;
  anonymousId: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
  timestamp: Date;
};

export type ClaimedTimer = { id: number; workspaceId: string; customerId: string; key: string; dueAt: Date; payload: unknown };

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * Claims the oldest unprocessed events of the held partitions (SKIP LOCKED, so
 * a second claimer never waits or doubles up), and with them every due timer of
 * the same customers that is due before the latest claimed event: the runtime
 * then handles each customer's inputs in time order.
 */
export async function claimEvents(tx: Tx, partitions: number[], limit: number): Promise<ClaimedEvent[]> {
  const rows = await tx.execute(sql`
    select id, workspace_id as "workspaceId", customer_id as "customerId", type, name, user_id as "userId",
           anonymous_id as "anonymousId", properties, traits, context, timestamp
    from events
    where processed_at is null and partition = any(${sql.raw(`array[${partitions.map(Number).join(",")}]::int[]`)})
    order by id
    limit ${limit}
    for update skip locked`);
  return (rows as unknown as ClaimedEvent[]).map((r) => ({ ...r, timestamp: new Date(r.timestamp) }));
}

/** Due timers (by wall clock, or before `until` for the given customers), locked for this transaction. */
export async function claimDueTimers(tx: Tx, opts: { partitions: number[]; now: Date; limit: number }): Promise<ClaimedTimer[]> {
  const rows = await tx.execute(sql`
    select id, workspace_id as "workspaceId", customer_id as "customerId", key, due_at as "dueAt", payload
    from timers
    where partition = any(${sql.raw(`array[${opts.partitions.map(Number).join(",")}]::int[]`)}) and due_at <= ${opts.now.toISOString()}::timestamptz
    order by due_at
    limit ${opts.limit}
    for update skip locked`);
  return (rows as unknown as ClaimedTimer[]).map((r) => ({ ...r, dueAt: new Date(r.dueAt) }));
}

/**
 * For each given customer, their timers due before `until` (their latest claimed
 * event), locked for this transaction: one statement for the whole batch (it
 * was one per customer, the worker's main cost on small batches).
 */
export async function claimCustomerTimersBefore(tx: Tx, customers: { workspaceId: string; customerId: string; until: Date }[]): Promise<ClaimedTimer[]> {
  if (customers.length === 0) return [];
  const wanted = sql.join(
    customers.map((c) => sql`(${c.workspaceId}::uuid, ${c.customerId}::text, ${c.until.toISOString()}::timestamptz)`),
    sql`, `,
  );
  const rows = await tx.execute(sql`
    select t.id, t.workspace_id as "workspaceId", t.customer_id as "customerId", t.key, t.due_at as "dueAt", t.payload
    from timers t
    join (values ${wanted}) as w(workspace_id, customer_id, until)
      on t.workspace_id = w.workspace_id and t.customer_id = w.customer_id and t.due_at <= w.until
    order by t.due_at, t.id
    for update of t skip locked`);
  return (rows as unknown as ClaimedTimer[]).map((r) => ({ ...r, dueAt: new Date(r.dueAt) }));
}

/**
 * The earliest pending timer of the held partitions, so the worker can wake
 * exactly then: one index probe per partition (timers_due is (partition,
 * due_at)). `min(due_at) where partition = any(…)` read every pending timer
 * of those partitions instead: 16 ms with 100,000 pending, after every batch.
 */
export async function nextTimerDue(db: Db, partitions: number[]): Promise<Date | null> {
  const rows = (await db.execute(sql`
    select min(x.due_at) as due
    from unnest(${sql.raw(`array[${partitions.map(Number).join(",")}]::int[]`)}) as p(partition),
      lateral (select t.due_at from timers t where t.partition = p.partition order by t.due_at limit 1) as x`)) as unknown as [{ due: string | null }];
  return rows[0]?.due ? new Date(rows[0].due) : null;
}
