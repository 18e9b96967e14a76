import { randomUUID } from "node:crypto";
import type { Sql } from "postgres";
import type { Db } from "@/db/client";
import { dispatchDueMessages, sendClaimed } from "@/server/channels/dispatch-due-messages";
import type { ProcessOptions } from "./process-partitions";
import { LeaseLostError, PartitionLease } from "./partition-lease";
import { pruneOldData } from "./retention";
import { rebalanceChannel, wakeChannel } from "./wake-channel";

export type WorkerOptions = {
  /** Events claimed per transaction. */
  batchSize?: number;
  /** Safety-net poll when no notification arrives. */
  pollMs?: number;
  /**
   * How long to wait before the next round when work arrived during a small one (fewer than 50 inputs): the
   * next round then takes what arrives meanwhile too. 0 goes round at once. See RuntimeWorker's loop.
   */
  paceMs?: number;
  /** Handles claimed events and due timers for the held partitions; returns how many inputs it handled. */
  processPartitions: (db: Db, partitions: number[], opts: Pick<ProcessOptions, "batchSize" | "leaseMessagesMs" | "onCommitted" | "onNextTimer" | "leasePid">) => Promise<number>;
  log?: (line: string) => void;
  /**
   * The application_name of `db`'s sessions (createDb's applicationName). When a stop has to cut a round, they are
   * ended before the partitions are released, so no cut transaction outlives the lease (see PartitionLease.endSessions).
   */
  sessionName?: string;
  /** Removes old processed data (pruneOldData) every `everyMs` (10 minutes unless told), beside the rounds. Off when unset. */
  retention?: { days: number; everyMs?: number };
};

/**
 * The runtime worker: holds a fair share of partitions, wakes on LISTEN
 * `waymark_events` (sent by ingestion after its commit) or on the poll
 * interval, processes claimed events and due timers, and dispatches the
 * outbox. Several workers run side by side; partitions keep per-customer order.
 */
export class RuntimeWorker {
  readonly id = `worker-${randomUUID().slice(0, 8)}`;
  private lease: PartitionLease;
  private running = false;
  private wake: (() => void) | null = null;
  private timerWake: NodeJS.Timeout | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private loopDone: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly sql: Sql,
    private readonly opts: WorkerOptions,
  ) {
    this.lease = new PartitionLease(sql, this.id);
  }

  async start(): Promise<void> {
    this.running = true;
    await this.lease.start();
    const listener = await this.sql.listen(wakeChannel, (payload) => {
      if (wakesFor(payload, this.lease.held)) this.poke();
    });
    const rebalancer = await this.sql.listen(rebalanceChannel, (payload) => {
      if (payload === this.id) return;
      this.rebalanceNow = true;
      this.poke();
    });
    this.unlisten = async () => {
      await Promise.all([listener.unlisten(), rebalancer.unlisten()]);
    };
    this.loopDone = this.loop();
  }

  /**
   * Wakes the loop now (new events, or a timer coming due). A poke while the
   * loop is busy is remembered, so the loop goes round again instead of
   * sleeping: otherwise events committed just after its claim, or a timer due
   * during a batch, would wait a whole poll interval.
   */
  poke(): void {
    this.poked = true;
    const w = this.wake;
    this.wake = null;
    w?.();
  }
  private poked = false;
  /** The wake-up of a timer coming due came since the round began: the next round goes at once (no pause), timers fire on time. */
  private timerDue = false;
  /** Another worker joined, gave partitions back or left: rebalance on the next round. */
  private rebalanceNow = false;

  /** Tells the other workers to rebalance now (best effort: they rebalance every 3 s anyway). */
  private async announce(): Promise<void> {
    await this.sql`select pg_notify(${rebalanceChannel}, ${this.id})`.catch(() => undefined);
  }

  private async loop(): Promise<void> {
    const batchSize = this.opts.batchSize ?? 500;
    const pollMs = this.opts.pollMs ?? 500;
    const paceMs = this.opts.paceMs ?? 0;
    let lastRebalance = 0;
    let lastDispatch = 0;
    let dispatchFull = false;
    let partitions: number[] = [];
    while (this.running) {
      this.poked = false;
      this.timerDue = false;
      let handled = 0;
      try {
        // A lost lease session (Postgres restarted, connection cut) frees every partition: stop and take them again now.
        if (this.lease.lost || this.rebalanceNow || Date.now() - lastRebalance > 3_000) {
          this.rebalanceNow = false;
          const before = partitions;
          const joining = lastRebalance === 0;
          partitions = [];
          partitions = await this.lease.rebalance();
          lastRebalance = Date.now();
          // Joined, or gave partitions back: the others take their share now, not at their next rebalance.
          if (joining || before.some((p) => !this.lease.held.has(p))) await this.announce();
        }
        const held = partitions.filter((p) => this.lease.held.has(p));
        if (held.length > 0) {
          // The batch's messages are written claimed for this worker and sent as soon as it commits (no claim of
          // their own); the batch also says when the partitions' next timer is due.
          const told = { next: null as Date | null };
          handled = await this.opts.processPartitions(this.db, held, {
            batchSize,
            leaseMessagesMs: messageLeaseMs,
            onCommitted: (messages, providerFor) => this.send(messages.length, sendClaimed(this.db, messages, providerFor)),
            onNextTimer: (due) => (told.next = due),
            leasePid: this.lease.pid,
          });
          this.scheduleTimerWake(told.next);
          // The next batch is claimed while this one's messages are on the wire, unless too many are still going out.
          while (this.sendingMessages > maxMessagesSending && this.sending.size > 0) await Promise.race(this.sending);
        }
        // What else is due in the outbox (retries, messages queued outside a worker, leases that ran out): at most
        // every dispatchEveryMs, unless the last claim came back full.
        if (dispatchFull || Date.now() - lastDispatch >= dispatchEveryMs) {
          const sent = await dispatchDueMessages(this.db, { limit: dispatchLimit, leaseMs: messageLeaseMs });
          lastDispatch = Date.now();
          dispatchFull = sent.sent + sent.retrying + sent.dead >= dispatchLimit;
        }
        this.pruneIfDue();
        // Round again at once only when a claim came back full (more may be waiting). Work committed after this
        // round's claims comes with a notification (this.poked, below), and timers with their own wake-up: going
        // round after every batch cost an empty round (five statements) per event at low rates.
        if (handled >= batchSize || dispatchFull) continue;
      } catch (err) {
        if (err instanceof LeaseLostError) {
          // The lease session ended (the batch's claim found its partitions gone, and it rolled back): take partitions again now.
          this.opts.log?.(`[worker ${this.id}] ${err.message}`);
          this.lease.lost = true;
          await sleep(100); // not a busy loop, should it happen again at once
          continue;
        }
        this.opts.log?.(`[worker ${this.id}] ${describeError(err)}`);
        handled = 0; // after the second's wait, no pause as well
        await sleep(1_000);
      }
      if (this.poked) {
        this.poked = false;
        // Busy with small rounds (work arrived during this one): a short pause first, so the next round takes what
        // arrives meanwhile too. A round's fixed cost (begin, claim, write, commit: four round trips and two large
        // statements) is most of a small round's; without the pause, each worker went round about 100 times a second
        // under load whatever the rate, with a few events each time, and the cores spent on those rounds what
        // ingestion needed. bench:e2e, 2 workers, run alternately with and without a 3 ms pause: single events
        // through the listener 3,070 and 2,935/s against 2,613 and 2,510; ingest → webhook latency p50 / p99 at half
        // the sending maximum and at 150/s alike within the runs' spread. Only when busy: work that finds the worker
        // idle (no poke during a round) is claimed at once. A timer coming due is too: with the pause for it as well,
        // timer lateness p99 was 7–15 ms in bench:e2e, against 3–5 without the pause.
        if (paceMs > 0 && handled > 0 && handled < paceBelow && !this.timerDue) await sleep(paceMs);
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, pollMs);
      });
      this.poked = false;
    }
  }

  /** The retention pass in progress, if any: it runs beside the rounds (its chunks are short transactions of their own). */
  private pruning: Promise<void> | null = null;
  private lastPrune = 0;
  private pruneIfDue(): void {
    const retention = this.opts.retention;
    if (!retention || this.pruning || !this.running || Date.now() - this.lastPrune < (retention.everyMs ?? 600_000)) return;
    this.lastPrune = Date.now();
    this.pruning = pruneOldData(this.db, { days: retention.days, keepGoing: () => this.running })
      .then((r) => {
        if (r && r.events + r.stepLog + r.messages > 0) {
          this.opts.log?.(`[worker ${this.id}] retention (${retention.days} days): removed ${r.events} events, ${r.stepLog} step log rows and ${r.messages} sent or dead messages${r.done ? "" : "; more next time"}`);
        }
      })
      .catch((err: unknown) => this.opts.log?.(`[worker ${this.id}] retention: ${describeError(err)}`))
      .finally(() => (this.pruning = null));
  }

  /** Batches' messages still being sent (each settles when every outcome is recorded or has failed), and how many. */
  private sending = new Set<Promise<void>>();
  private sendingMessages = 0;
  private send(count: number, sent: Promise<unknown>): void {
    this.sendingMessages += count;
    const done: Promise<void> = sent
      .then(
        () => undefined,
        (err: unknown) => this.opts.log?.(`[worker ${this.id}] sending a batch's messages: ${describeError(err)} (they come back when their lease ends)`),
      )
      .finally(() => {
        this.sendingMessages -= count;
        this.sending.delete(done);
      });
    this.sending.add(done);
  }

  /** Timers are fired on time: the loop is woken exactly when the next known timer is due. */
  private scheduleTimerWake(next: Date | null): void {
    if (this.timerWake) clearTimeout(this.timerWake);
    this.timerWake = null;
    if (!next) return;
    const delay = Math.max(0, next.getTime() - Date.now());
    if (delay < 60_000) {
      this.timerWake = setTimeout(() => {
        this.timerDue = true;
        this.poke();
      }, delay);
    }
  }

  /**
   * Stops after the round in progress (its transaction commits or rolls back
   * whole) and the sends of the messages batches committed, waiting at most `drainMs`: a round stuck on a database call that
   * does not return (a lock, a half-open connection) is left behind, and the
   * caller closes the pool, which rolls it back. Resolves true when the round
   * finished, false when it was left behind (said in the log).
   */
  async stop({ drainMs = 8_000 }: { drainMs?: number } = {}): Promise<boolean> {
    this.running = false;
    if (this.timerWake) clearTimeout(this.timerWake);
    this.poke();
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      // The last round's messages too: a send cut short would only go again after its lease, a minute later.
      (this.loopDone ?? Promise.resolve()).then(() => Promise.all([...this.sending, this.pruning])).then(() => true),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), drainMs))),
    ]);
    clearTimeout(timer);
    if (!drained) {
      this.opts.log?.(`[worker ${this.id}] did not finish its round within ${drainMs / 1000} s of being asked to stop; stopping without it (its transaction rolls back, its claimed messages come back after their lease)`);
      if (this.opts.sessionName) await this.lease.endSessions(this.opts.sessionName);
    }
    await Promise.race([this.unlisten?.(), sleep(2_000)]).catch(() => undefined);
    await this.lease.stop();
    // Its partitions are free: the others take them now.
    await Promise.race([this.announce(), sleep(2_000)]);
    return drained;
  }
}

/**
 * Whether a `waymark_events` notification concerns this worker: its payload
 * lists the partitions of the events just committed (empty: unknown, wake).
 * A worker holding none of them stays asleep; the one that holds them wakes.
 */
export function wakesFor(payload: string, held: ReadonlySet<number>): boolean {
  if (payload.trim() === "") return true;
  for (const part of payload.split(",")) {
    const p = Number(part);
    if (!Number.isInteger(p) || held.has(p)) return true;
  }
  return false;
}

/** An error for the log: its stack, and the causes drizzle and postgres.js wrap in it ("Failed query: …" says what, the cause says why). */
export function describeError(err: unknown): string {
  let text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  for (let e = (err as { cause?: unknown })?.cause, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    text += `\ncaused by: ${e instanceof Error ? `${(e as { code?: string }).code ? `${(e as { code?: string }).code} ` : ""}${e.message}` : String(e)}`;
  }
  return text;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A round that handled fewer inputs than this is small (see paceMs). */
const paceBelow = 50;
/** Messages claimed per dispatch round. */
const dispatchLimit = 200;
/** How long a claimed message is hidden from other dispatchers: longer than any send may take (a webhook waits at most 20 s for a connection, then 30 s for its answer). */
const messageLeaseMs = 60_000;
/** Messages on the wire after which the loop waits for sends to finish before claiming more (a batch is at most 500 events). */
const maxMessagesSending = 2_000;
/** The outbox claim's interval: the batches' own messages go without it, so it only finds retries and leftovers. */
const dispatchEveryMs = 200;
