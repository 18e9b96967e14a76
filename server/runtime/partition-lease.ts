import { sql as q, type SQL } from "drizzle-orm";
import postgres, { type Sql } from "postgres";
import { partitionCount } from "@/db/schema";

/** Advisory locks (space, partition): a lease session holds (lockSpace, p) for each partition it holds. */
const lockSpace = 727_001;
/**
 * A batch's transaction holds (batchLockSpace, p), shared, for each partition it claims from (claimBatch), until it
 * commits or rolls back. A worker taking a partition first makes sure no batch holds it (see rebalance).
 */
export const batchLockSpace = 727_002;

/**
 * Holds worker partitions by Postgres advisory locks on one reserved
 * connection: a partition is processed only by the worker holding its lock, so
 * per-customer order holds across many workers on many machines. When a worker
 * dies its connection closes and Postgres releases its partitions at once.
 * `rebalance` takes a fair share (partitionCount / live workers, from the
 * heartbeat table) and gives back any extra, so a new worker gets work.
 *
 * The locks live on a dedicated one-connection client (the lease session), not
 * on a connection reserved from the pool: postgres.js does not tell the holder
 * of a reserved connection that it closed, and a query on it afterwards
 * crashes the process (TypeError in connection.js) or hangs; after a Postgres
 * restart that left workers believing they held partitions whose locks were
 * gone, and partitions nobody processed. The session's `onclose` says the
 * locks are gone: `held` is emptied and `lost` set, and the next rebalance
 * (at once, see worker.ts) takes partitions again on a new session.
 *
 * Fencing. A lease session can end while its worker goes on (the session
 * alone was cut or ended by hand): its locks are gone at once, the worker
 * learns it only later, and another worker may take the partitions. Without
 * a fence, the first worker's batch in flight, or one it started before it
 * learned, could hold a customer's earlier events while the second worker
 * claimed their later ones (SKIP LOCKED passes over the rows the first holds)
 * and processed them first: from an empty state, for a customer seen for the
 * first time. Two locks close it:
 *  - a batch first takes (batchLockSpace, p) shared for each partition it
 *    would claim from, then checks, in pg_locks, that its lease session
 *    still holds p, and claims only from partitions that pass (claimBatch;
 *    if some fail, the batch stops with LeaseLostError and the worker takes
 *    partitions again);
 *  - a worker takes a partition only if it can also take (batchLockSpace, p)
 *    exclusively for a moment: no batch of any worker is in flight there.
 *    Otherwise it lets go of the partition and tries again at its next
 *    rebalance.
 * A batch whose check passed held its batch lock while its lease still held
 * the partition, so no other worker can have taken the partition before that
 * batch ends; a batch whose check failed claims nothing there.
 */
export class PartitionLease {
  private conn: Sql | undefined;
  readonly held = new Set<number>();
  /** The lease session's backend pid, read at each rebalance (a new session after one was lost has a new pid). */
  pid: number | null = null;
  /** The lease session closed since the last rebalance: every lock it held is gone. */
  lost = false;

  constructor(
    private readonly sql: Sql,
    readonly workerId: string,
  ) {}

  async start(): Promise<void> {
    // The pool's own options (URL, credentials, TLS), as postgres.js itself does for LISTEN.
    const options = this.sql.options as unknown as postgres.Options<Record<string, postgres.PostgresType>>;
    this.conn = postgres({
      ...options,
      max: 1,
      idle_timeout: 0, // never closed for idleness or age: the session is the lease
      max_lifetime: 0,
      fetch_types: false,
      no_subscribe: true,
      connection: { ...options.connection, application_name: `waymark-lease ${this.workerId}`.slice(0, 63) },
      onclose: () => {
        if (this.held.size > 0) this.lost = true;
        this.held.clear();
        this.pid = null;
      },
    } as unknown as postgres.Options<Record<string, postgres.PostgresType>>);
    await this.conn`select 1`;
  }

  /** Heartbeats, then takes or releases partitions to hold a fair share. Returns the held partitions. */
  async rebalance(): Promise<number[]> {
    const conn = this.conn;
    if (!conn) throw new Error("PartitionLease.start() first");
    this.lost = false;
    const [{ pid }] = (await conn`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
    this.pid = pid;
    // A worker that died without stopping leaves its row: rows an hour without a heartbeat go (they count as gone after 10 s).
    await this.sql`
      with forgotten as (delete from runtime_workers where heartbeat_at < now() - interval '1 hour' and id <> ${this.workerId})
      insert into runtime_workers (id) values (${this.workerId})
      on conflict (id) do update set heartbeat_at = now()`;
    // Live: a recent heartbeat and a lease session still open. A killed worker's session closes with its process, so
    // the others count it out (and take its partitions) at their next rebalance, not once its heartbeat is 10 s old.
    const [{ live }] = (await this.sql`
      select count(*)::int as live from runtime_workers w
      where w.heartbeat_at > now() - interval '10 seconds'
        and exists (select 1 from pg_stat_activity a where a.datname = current_database() and a.application_name = left('waymark-lease ' || w.id, 63))`) as unknown as [{ live: number }];
    const share = Math.ceil(partitionCount / Math.max(1, live));
    // Give back partitions beyond the fair share (highest first) so others can take them.
    for (const p of [...this.held].sort((a, b) => b - a)) {
      if (this.held.size <= share) break;
      await conn`select pg_advisory_unlock(${lockSpace}, ${p})`;
      this.held.delete(p);
    }
    // Take free partitions up to the share, starting at a worker-specific offset to spread contention.
    const offset = hashString(this.workerId) % partitionCount;
    for (let i = 0; i < partitionCount && this.held.size < share; i++) {
      const p = (offset + i) % partitionCount;
      if (this.held.has(p)) continue;
      // Taken only if no batch holds its batch lock (one of a worker whose lease was lost may still be running): else
      // let go at once, and try again at the next rebalance (CASE evaluates in order, so each unlock is of a lock taken).
      const [{ ok }] = (await conn`
        select case when pg_try_advisory_lock(${lockSpace}, ${p}) then
          case when pg_try_advisory_lock(${batchLockSpace}, ${p}) then pg_advisory_unlock(${batchLockSpace}, ${p})
          else not pg_advisory_unlock(${lockSpace}, ${p}) end
        else false end as ok`) as unknown as [{ ok: boolean }];
      if (ok) this.held.add(p);
    }
    return [...this.held].sort((a, b) => a - b);
  }

  /**
   * Ends the database sessions named `applicationName` (this worker's pool) and waits until they are gone (bounded):
   * their transactions roll back and their row locks go. Closing a pool's sockets is not enough: a session waiting on
   * a lock notices only when the lock comes, and could then hold its customers' rows while another worker, given
   * the partitions, processes their later events first.
   */
  async endSessions(applicationName: string): Promise<void> {
    const conn = this.conn;
    if (!conn) return;
    await conn`
      select pg_terminate_backend(pid, 3000) from pg_stat_activity
      where application_name = ${applicationName.slice(0, 63)} and pid <> pg_backend_pid()`.catch(() => undefined);
  }

  /** Leaves: the heartbeat row goes (others take a fair share at once) and the session closes, which frees its locks. Bounded. */
  async stop(): Promise<void> {
    const gone = this.sql`delete from runtime_workers where id = ${this.workerId}`.catch(() => undefined);
    await Promise.race([gone, new Promise((r) => setTimeout(r, 2_000).unref())]);
    const conn = this.conn;
    this.conn = undefined;
    this.held.clear();
    await conn?.end({ timeout: 2 }).catch(() => undefined);
  }
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** A batch's claim found that its lease session no longer holds some of the batch's partitions: the batch rolls back. */
export class LeaseLostError extends Error {
  constructor(readonly partitions: number[]) {
    super(`the lease of partitions ${partitions.join(", ")} was lost; the batch claimed nothing there, is rolled back, and its events stay queued`);
    this.name = "LeaseLostError";
  }
}

/**
 * SQL: the partitions (an int[]) whose lease locks the session `leasePid` holds now. pg_locks shows the lock table as
 * it is, not as of the statement's snapshot: a lock released by a session that ended is gone from it at once.
 */
export function leaseHeldPartitions(leasePid: number): SQL {
  return q`array(select objid::int from pg_locks
    where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())
      and classid = ${lockSpace} and objsubid = 2 and granted and pid = ${leasePid}::int)`;
}
