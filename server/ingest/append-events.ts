import { and, eq, inArray, sql } from "drizzle-orm";
import { executePrepared, type Db } from "@/db/client";
import { customerAliases, customers } from "@/db/schema";
import { wakeChannel } from "@/server/runtime/wake-channel";
import { isDatabaseUnavailable } from "./database-unavailable";
import type { NormalizedEvent } from "./event-schema";

/**
 * Appends a request's events in ONE transaction (all or nothing), then the
 * caller answers 200. A messageId already stored in the workspace is a
 * duplicate: not stored again, counted. Profiles are upserted from the new
 * events; an identify with both ids merges the anonymous profile into the user
 * and records the alias, so later anonymous events reach the user.
 */
export async function appendEvents(
  db: Db,
  workspaceId: string,
  batch: NormalizedEvent[],
  source: string,
): Promise<{ accepted: number; duplicates: number }> {
  if (batch.length === 0) return { accepted: 0, duplicates: 0 };
  const only = batch[0]!;
  if (batch.length === 1 && only.userId && !(only.type === "identify" && only.anonymousId)) {
    // Grouped with concurrent requests (see SingleAppender), which also wakes the workers.
    const partition = await singleAppenderOf(db).append(workspaceId, only, source);
    return { accepted: 1, duplicates: partition !== null ? 0 : 1 };
  }
  const result = await db.transaction(async (tx) => {
    // Resolve anonymous ids already merged into a user, and merges this batch makes.
    const anonIds = [...new Set(batch.filter((e) => !e.userId && e.anonymousId).map((e) => e.anonymousId!))];
    const aliases = new Map<string, string>();
    if (anonIds.length > 0) {
      const rows = await tx
        .select({ anonymousId: customerAliases.anonymousId, customerId: customerAliases.customerId })
        .from(customerAliases)
        .where(and(eq(customerAliases.workspaceId, workspaceId), inArray(customerAliases.anonymousId, anonIds)));
      for (const r of rows) aliases.set(r.anonymousId, r.customerId);
    }
    const resolved = batch.map((e) => {
      if (e.type === "identify" && e.userId && e.anonymousId) aliases.set(e.anonymousId, e.userId);
      const customerId = !e.userId && e.anonymousId && aliases.has(e.anonymousId) ? aliases.get(e.anonymousId)! : e.customerId;
      return { ...e, customerId };
    });

    // The whole request as ONE JSON parameter, expanded by Postgres (in request order: ids follow it, and the
    // runtime processes a customer's events by id). Drizzle's builder spent more CPU on a 100-event insert
    // (a parameter per value) than everything else the request does.
    const rows = resolved.map(eventColumns);
    // Each new event is queued for the runtime (pending_events) in the same statement.
    const inserted = (await executePrepared(tx, sql`
      with ins as (
      insert into events (workspace_id, customer_id, message_id, type, name, user_id, anonymous_id, properties, traits, context, timestamp, source)
      select ${workspaceId}::uuid, r.customer_id, r.message_id, r.type, r.name, r.user_id, r.anonymous_id, r.properties, r.traits, r.context, r.timestamp, ${source}
      from rows from (jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as (
        customer_id text, message_id text, type text, name text, user_id text, anonymous_id text,
        properties jsonb, traits jsonb, context jsonb, timestamp timestamptz
      )) with ordinality as r(customer_id, message_id, type, name, user_id, anonymous_id, properties, traits, context, timestamp, ord)
      order by r.ord
      on conflict (workspace_id, message_id) do nothing
      returning id, message_id, partition),
      queued as (insert into pending_events (id, partition) select id, partition from ins)
      select message_id as "messageId", partition from ins`)) as unknown as { messageId: string; partition: number }[];
    const fresh = new Set(inserted.map((r) => r.messageId));
    const partitions = new Set(inserted.map((r) => r.partition));
    const stored = resolved.filter((e) => fresh.delete(e.messageId));

    await upsertProfiles(tx as unknown as Db, workspaceId, stored);
    for (const e of stored) {
      if (e.type === "identify" && e.userId && e.anonymousId) await mergeAnonymous(tx as unknown as Db, workspaceId, e.anonymousId, e.userId);
    }
    return { accepted: batch.length, duplicates: batch.length - stored.length, partitions };
  });
  if (result.partitions.size > 0) wakeWorkers(db, result.partitions);
  return { accepted: result.accepted, duplicates: result.duplicates };
}

/**
 * Group commit for single-event requests: the common request (one event of a
 * known user) is stored together with the others that arrive while a store is
 * in flight, in ONE statement (events, queue rows and profile upserts as
 * data-modifying CTEs) and so one commit and one WAL flush for the group,
 * instead of a statement and a flush each. The first request of a quiet
 * moment goes at once (no added wait); under load, groups grow by themselves.
 * Each request is still answered only after the commit that stored its event.
 *
 * A group holds at most one event per customer, so its profile upserts touch
 * each profile once, and a customer's later requests wait until their earlier
 * one is stored (first come, first stored: ids, and so the runtime's order,
 * follow arrival). Up to maxGroupsInFlight groups are stored at once.
 * If a group's statement fails, each of its events is stored on its own, so
 * one request's failure never becomes another's.
 */
type SingleAppend = { workspaceId: string; event: NormalizedEvent; source: string; done: (partition: number | null) => void; failed: (err: unknown) => void };
const maxGroup = 500;
/** Groups stored at once: a group that waits (a lock, a slow connection) does not hold up the requests behind it. */
const maxGroupsInFlight = 4;
class SingleAppender {
  private queue: SingleAppend[] = [];
  private inFlight = 0;
  /** Customers with an event in a group in flight: their next event waits for it (ids follow arrival). */
  private busy = new Set<string>();
  constructor(private readonly db: Db) {}

  /** Stores the event; resolves with its worker partition once committed, or null if its messageId was already stored. */
  append(workspaceId: string, event: NormalizedEvent, source: string): Promise<number | null> {
    return new Promise((done, failed) => {
      this.queue.push({ workspaceId, event, source, done, failed });
      this.pump();
    });
  }

  /** Starts groups while fewer than maxGroupsInFlight are in flight: each takes the queued events of customers not busy, one per customer, in arrival order. */
  private pump(): void {
    while (this.inFlight < maxGroupsInFlight && this.queue.length > 0) {
      const group: SingleAppend[] = [];
      const later: SingleAppend[] = [];
      const taken = new Set<string>();
      for (const a of this.queue) {
        const k = `${a.workspaceId}\u0000${a.event.customerId}`;
        if (group.length >= maxGroup || taken.has(k) || this.busy.has(k)) later.push(a);
        else {
          taken.add(k);
          group.push(a);
        }
      }
      if (group.length === 0) return; // every queued event waits for its customer's event in flight
      this.queue = later;
      for (const k of taken) this.busy.add(k);
      this.inFlight++;
      void this.store(group).finally(() => {
        this.inFlight--;
        for (const k of taken) this.busy.delete(k);
        this.pump();
      });
    }
  }

  private async store(group: SingleAppend[]): Promise<void> {
    try {
      // Alone (no other group in flight, no notification going out), a group wakes the workers in its own statement:
      // a round trip fewer per request at low rates. Under load, its NOTIFY would take Postgres's notify lock through
      // its commit while other groups commit, so the wake-up goes after the commit, coalesced (wakeWorkers).
      const wakeInside = this.inFlight === 1 && !notifying.has(this.db);
      const stored = await appendGroup(this.db, group, wakeInside);
      const partitions = new Set<number>();
      group.forEach((a, i) => {
        const p = stored[i] ?? null;
        if (p !== null) partitions.add(p);
        a.done(p);
      });
      if (partitions.size > 0 && !wakeInside) wakeWorkers(this.db, partitions);
    } catch (err) {
      // A group that failed because the database is out of reach fails whole (each request answers 503); any other
      // failure is retried event by event, so one request's failure stays its own.
      if (group.length === 1 || isDatabaseUnavailable(err)) {
        for (const a of group) a.failed(err);
        return;
      }
      await Promise.all(
        group.map((a) =>
          appendGroup(this.db, [a]).then(([p = null]) => {
            if (p !== null) wakeWorkers(this.db, [p]);
            a.done(p);
          }, a.failed),
        ),
      );
    }
  }
}
const singleAppenders = new WeakMap<Db, SingleAppender>();
function singleAppenderOf(db: Db): SingleAppender {
  let a = singleAppenders.get(db);
  if (!a) singleAppenders.set(db, (a = new SingleAppender(db)));
  return a;
}

/** An event's columns, as the insert statements read them from their JSON parameter. */
function eventColumns(e: NormalizedEvent) {
  return {
    customer_id: e.customerId,
    message_id: e.messageId,
    type: e.type,
    name: e.name,
    user_id: e.userId,
    anonymous_id: e.anonymousId,
    properties: e.properties,
    traits: e.traits,
    context: e.context,
    timestamp: e.timestamp.toISOString(),
  };
}

/**
 * How a profile takes an event's traits (every profile upsert, `customers as c`): traits merged over the stored ones,
 * a time zone only if one is given, consent only if the traits say it, first and last seen widened.
 */
const mergeProfile = sql.raw(`on conflict (workspace_id, customer_id) do update set
  traits = c.traits || excluded.traits,
  timezone = coalesce(excluded.timezone, c.timezone),
  unsubscribed = case when jsonb_typeof(excluded.traits->'unsubscribed') = 'boolean' then excluded.unsubscribed else c.unsubscribed end,
  first_seen_at = least(c.first_seen_at, excluded.first_seen_at),
  last_seen_at = greatest(c.last_seen_at, excluded.last_seen_at)`);

/** The time zone an event gives its profile (traits first, then context); an empty zone is no zone (the stored one stays). */
function zoneOf(e: NormalizedEvent): string | null {
  return (typeof e.traits.timezone === "string" ? e.traits.timezone : typeof e.context.timezone === "string" ? e.context.timezone : null) || null;
}

/**
 * A group of single events (distinct customers, known users) in ONE prepared
 * statement: the events, their places in the runtime's queue and, for those
 * that are new, their profile upserts (data-modifying CTEs run atomically, as
 * one transaction; one round trip), and with `wake`, the NOTIFY that wakes
 * the workers holding the new events' partitions (none when every event was a
 * duplicate: the subquery runs only for a row). Returns each event's partition in the
 * group's order, null for a duplicate messageId (already stored, or earlier
 * in this group).
 */
async function appendGroup(db: Db, group: SingleAppend[], wake = false): Promise<(number | null)[]> {
  const rows = group.map(({ workspaceId, event: e, source }) => ({
    workspace_id: workspaceId,
    ...eventColumns(e),
    source,
    timezone: zoneOf(e),
    unsubscribed: e.traits.unsubscribed === true,
  }));
  // Profiles are upserted in (workspace, customer) order, as every profile write is, so concurrent writers cannot deadlock.
  const inserted = (await executePrepared(db, sql`
    with r as materialized (
      select * from rows from (jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as (
        workspace_id uuid, customer_id text, message_id text, type text, name text, user_id text, anonymous_id text,
        properties jsonb, traits jsonb, context jsonb, timestamp timestamptz, source text, timezone text, unsubscribed boolean
      )) with ordinality as r(workspace_id, customer_id, message_id, type, name, user_id, anonymous_id, properties, traits, context, timestamp, source, timezone, unsubscribed, ord)
    ), ins as (
      insert into events (workspace_id, customer_id, message_id, type, name, user_id, anonymous_id, properties, traits, context, timestamp, source)
      select workspace_id, customer_id, message_id, type, name, user_id, anonymous_id, properties, traits, context, timestamp, source
      from r order by ord
      on conflict (workspace_id, message_id) do nothing
      returning id, workspace_id, customer_id, partition
    ), queued as (
      insert into pending_events (id, partition) select id, partition from ins
    ), profile as (
      insert into customers as c (workspace_id, customer_id, traits, timezone, unsubscribed, first_seen_at, last_seen_at)
      select r.workspace_id, r.customer_id, r.traits, r.timezone, r.unsubscribed, r.timestamp, r.timestamp
      from r join ins on ins.workspace_id = r.workspace_id and ins.customer_id = r.customer_id
      order by r.workspace_id, r.customer_id collate "C"
      ${mergeProfile}
      returning 1
    )
    select workspace_id as "workspaceId", customer_id as "customerId", partition
      ${wake ? sql`, (select pg_notify(${wakeChannel}, string_agg(distinct partition::text, ',')) from ins) as woke` : sql``}
    from ins`)) as unknown as { workspaceId: string; customerId: string; partition: number }[];
  const byCustomer = new Map(inserted.map((r) => [`${r.workspaceId}\u0000${r.customerId}`, r.partition]));
  return group.map((a) => byCustomer.get(`${a.workspaceId}\u0000${a.event.customerId}`) ?? null);
}

/**
 * Wakes the runtime workers after a commit, coalesced: at most one NOTIFY in
 * flight per database, plus one more (with every partition committed
 * meanwhile) if events were committed meanwhile. The payload lists the
 * events' worker partitions, so only the workers holding them wake (see
 * wakesFor in server/runtime/worker.ts). A NOTIFY inside the ingest
 * transaction would take Postgres's global notify lock through every commit
 * and its fsync, serializing all ingest requests (≈ 110 single-event
 * requests/s here); outside it, commits group. A lost notification only
 * delays: the workers also poll.
 */
const notifying = new WeakMap<Db, Set<number>>();
function wakeWorkers(db: Db, partitions: Iterable<number>): void {
  const waiting = notifying.get(db);
  if (waiting) {
    for (const p of partitions) waiting.add(p);
    return;
  }
  const pending = new Set(partitions);
  notifying.set(db, pending);
  void (async () => {
    try {
      while (pending.size > 0) {
        const payload = [...pending].sort((a, b) => a - b).join(",");
        pending.clear();
        await db.execute(sql`select pg_notify(${wakeChannel}, ${payload})`);
      }
    } catch {
      // The database went away: the workers' polling picks the events up.
    } finally {
      notifying.delete(db);
    }
  })();
}

/** One upsert per customer: traits merged in event order, time zone and consent read from traits. */
async function upsertProfiles(db: Db, workspaceId: string, stored: (NormalizedEvent & { customerId: string })[]) {
  const byCustomer = new Map<string, { traits: Record<string, unknown>; firstSeen: Date; lastSeen: Date; timezone: string | null }>();
  for (const e of [...stored].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime())) {
    const p = byCustomer.get(e.customerId) ?? { traits: {}, firstSeen: e.timestamp, lastSeen: e.timestamp, timezone: null };
    Object.assign(p.traits, e.traits);
    if (e.timestamp > p.lastSeen) p.lastSeen = e.timestamp;
    const tz = zoneOf(e);
    if (tz) p.timezone = tz;
    byCustomer.set(e.customerId, p);
  }
  if (byCustomer.size === 0) return;
  const json = [...byCustomer].map(([customerId, p]) => ({
    customer_id: customerId,
    traits: p.traits,
    timezone: p.timezone,
    unsubscribed: p.traits.unsubscribed === true,
    first_seen_at: p.firstSeen.toISOString(),
    last_seen_at: p.lastSeen.toISOString(),
  }));
  // One statement, rows in a fixed order so concurrent requests cannot deadlock on each other: byte order
  // (`collate "C"`), as every writer of profiles locks them (single-event groups, the runtime's trait updates).
  await executePrepared(db, sql`
    insert into customers as c (workspace_id, customer_id, traits, timezone, unsubscribed, first_seen_at, last_seen_at)
    select ${workspaceId}::uuid, r.customer_id, r.traits, r.timezone, r.unsubscribed, r.first_seen_at, r.last_seen_at
    from jsonb_to_recordset(${JSON.stringify(json)}::jsonb) as r(
      customer_id text, traits jsonb, timezone text, unsubscribed boolean, first_seen_at timestamptz, last_seen_at timestamptz)
    order by r.customer_id collate "C"
    ${mergeProfile}`);
}

/** The anonymous profile's traits go under the user's (the user's own win); the alias is remembered. */
async function mergeAnonymous(db: Db, workspaceId: string, anonymousId: string, userId: string) {
  const anonCustomer = `anon:${anonymousId}`;
  await db.insert(customerAliases).values({ workspaceId, anonymousId, customerId: userId }).onConflictDoNothing();
  const anon = await db.query.customers.findFirst({
    where: and(eq(customers.workspaceId, workspaceId), eq(customers.customerId, anonCustomer)),
  });
  if (!anon) return;
  await db
    .update(customers)
    .set({ traits: sql`${JSON.stringify(anon.traits)}::jsonb || ${customers.traits}`, firstSeenAt: sql`least(${customers.firstSeenAt}, ${anon.firstSeenAt.toISOString()}::timestamptz)` })
    .where(and(eq(customers.workspaceId, workspaceId), eq(customers.customerId, userId)));
}
