/**
 * The verdict of a fault run, from what the client, the database and the
 * webhook receiver each saw. Pure, so its rules are unit-tested.
 *
 * "Dispatched exactly once" here means, for every event the client saw
 * accepted (a 2xx came back for it):
 * - it is stored once (the events table dedupes on messageId) and processed;
 * - the outbox holds exactly ONE message for it: one deterministic outbox key,
 *   which is the Idempotency-Key sent on the wire. A second outbox row for the
 *   same event would be a second, different key: a receiver could not tell it
 *   from a new message, so that is a duplicate and fails the run;
 * - that key reached the receiver, and the row is marked sent.
 * Wire repeats (the same Idempotency-Key delivered twice) are allowed: delivery
 * is at least once on the wire, and a message in flight when its dispatcher
 * dies (SIGKILL, or Postgres stopping before the "sent" mark commits) is sent
 * again after its claim lease. They are reported separately and bounded by
 * one dispatch batch per fault.
 */
export type OutboxRow = { key: string; status: string; messageId: string | null };
export type Delivery = { key: string };

export type FaultTally = {
  accepted: number;
  processed: number;
  queued: number;
  dispatched: number;
  /** Outbox rows beyond one per event, plus rows no event accounts for. */
  duplicates: number;
  /** Accepted events not stored, not processed, without a sent message, or never delivered. */
  lost: number;
  /** Deliveries of an Idempotency-Key already delivered. */
  wireRepeats: number;
  /** Deliveries whose key is in no outbox row. */
  strays: number;
  /** Events stored though the client never saw them accepted (it gave up after a commit). */
  unacknowledged: number;
  examples: string[];
};

export function tallyFaultRun(input: {
  accepted: ReadonlySet<string>;
  /** messageId → processed, for every event stored in the workspace. */
  stored: ReadonlyMap<string, boolean>;
  outbox: readonly OutboxRow[];
  deliveries: readonly Delivery[];
}): FaultTally {
  const examples: string[] = [];
  const note = (line: string) => void (examples.length < 10 && examples.push(line));

  const rowsByEvent = new Map<string, OutboxRow[]>();
  let orphans = 0;
  for (const row of input.outbox) {
    if (row.messageId === null || !input.stored.has(row.messageId)) {
      orphans++;
      note(`outbox row ${row.key} belongs to no stored event`);
      continue;
    }
    const rows = rowsByEvent.get(row.messageId) ?? [];
    rows.push(row);
    rowsByEvent.set(row.messageId, rows);
  }
  let duplicates = orphans;
  for (const [messageId, rows] of rowsByEvent) {
    if (rows.length > 1) {
      duplicates += rows.length - 1;
      note(`event ${messageId} has ${rows.length} outbox rows: ${rows.map((r) => r.key).join(", ")}`);
    }
  }

  const outboxKeys = new Set(input.outbox.map((r) => r.key));
  const delivered = new Set<string>();
  let wireRepeats = 0;
  let strays = 0;
  for (const d of input.deliveries) {
    if (!outboxKeys.has(d.key)) {
      strays++;
      note(`delivery with unknown Idempotency-Key ${d.key}`);
    } else if (delivered.has(d.key)) wireRepeats++;
    else delivered.add(d.key);
  }

  let processed = 0;
  let dispatched = 0;
  let lost = 0;
  for (const messageId of input.accepted) {
    const isProcessed = input.stored.get(messageId) === true;
    if (isProcessed) processed++;
    const rows = rowsByEvent.get(messageId) ?? [];
    const sent = rows.some((r) => r.status === "sent" && delivered.has(r.key));
    if (sent) dispatched++;
    if (!isProcessed || !sent) {
      lost++;
      note(`accepted event ${messageId}: ${!input.stored.has(messageId) ? "not stored" : !isProcessed ? "not processed" : rows.length === 0 ? "no message queued" : "message not delivered"}`);
    }
  }
  let unacknowledged = 0;
  for (const messageId of input.stored.keys()) if (!input.accepted.has(messageId)) unacknowledged++;

  return {
    accepted: input.accepted.size,
    processed,
    queued: input.outbox.length,
    dispatched,
    duplicates,
    lost,
    wireRepeats,
    strays,
    unacknowledged,
    examples,
  };
}
