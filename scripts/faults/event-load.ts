/**
 * A steady, bounded event load over HTTP, sent like a careful client: every
 * event has its own messageId; a request that fails on the network, times out
 * or answers 429/5xx is sent again, unchanged (same messageIds), until a 2xx
 * comes back. Only then are its events counted as accepted. Any other 4xx is a
 * bug in this test or the API and is reported, not retried.
 */
export type LoadOptions = {
  baseUrl: string;
  apiKey: string;
  /** Events to send; each request carries 1 (/track) or `batchSize` (/batch) of them. */
  total: number;
  batchSize: number;
  /** The load is spread evenly over this long. */
  durationMs: number;
  /** Requests in flight at most (requests wait while the server is down). */
  concurrency: number;
  /** Retrying stops here (epoch ms); events not accepted by then stay unaccepted. */
  deadline: number;
  /** The event for the n-th message: unique messageId. */
  event: (n: number) => { userId: string; event: string; messageId: string; properties: Record<string, unknown> };
};

export type LoadStats = {
  accepted: Set<string>;
  sent: number;
  requests: number;
  retries: number;
  /** Events a 2xx answered as already stored: a retry of a request whose first answer was lost. */
  duplicateAcks: number;
  /** Why requests were retried: count, and first and last time (ms into the load). */
  failures: Map<string, { n: number; first: number; last: number }>;
  rejected: string[];
  unaccepted: number;
};

type Planned = { endpoint: "track" | "batch"; body: unknown; messageIds: string[]; at: number };

function plan(opts: LoadOptions, start: number): Planned[] {
  const out: Planned[] = [];
  let n = 0;
  for (let i = 0; n < opts.total; i++) {
    const size = i % 3 === 0 ? 1 : Math.min(opts.batchSize, opts.total - n);
    const events = Array.from({ length: size }, (_, k) => opts.event(n + k));
    const at = start + (opts.durationMs * n) / opts.total;
    out.push(
      size === 1
        ? { endpoint: "track", body: events[0], messageIds: [events[0]!.messageId], at }
        : { endpoint: "batch", body: { batch: events.map((e) => ({ type: "track", ...e })) }, messageIds: events.map((e) => e.messageId), at },
    );
    n += size;
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function sendEventLoad(opts: LoadOptions): Promise<LoadStats> {
  const stats: LoadStats = { accepted: new Set(), sent: 0, requests: 0, retries: 0, duplicateAcks: 0, failures: new Map(), rejected: [], unaccepted: 0 };
  const start = Date.now();
  const fail = (why: string) => {
    const at = Date.now() - start;
    const f = stats.failures.get(why) ?? { n: 0, first: at, last: at };
    stats.failures.set(why, { n: f.n + 1, first: f.first, last: at });
  };
  const queue = plan(opts, start);

  async function deliver(p: Planned): Promise<void> {
    const body = JSON.stringify(p.body);
    for (let attempt = 0; ; attempt++) {
      if (Date.now() > opts.deadline) {
        stats.unaccepted += p.messageIds.length;
        return;
      }
      if (attempt > 0) {
        stats.retries++;
        await sleep(Math.min(1_000, 50 * 2 ** Math.min(attempt, 5)));
      }
      stats.requests++;
      try {
        const res = await fetch(`${opts.baseUrl}/api/v1/${p.endpoint}`, {
          method: "POST",
          headers: { authorization: `Bearer ${opts.apiKey}`, "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        if (res.ok) {
          const answer = JSON.parse(text) as { accepted: number; duplicates: number };
          stats.duplicateAcks += answer.duplicates;
          for (const id of p.messageIds) stats.accepted.add(id);
          return;
        }
        if (res.status === 429 || res.status >= 500) {
          fail(`HTTP ${res.status}`);
          continue;
        }
        stats.rejected.push(`${p.endpoint} ${p.messageIds[0]}: HTTP ${res.status} ${text.slice(0, 200)}`);
        return;
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        fail(e.cause?.code ?? e.name);
      }
    }
  }

  const inFlight = new Set<Promise<void>>();
  for (const p of queue) {
    const wait = p.at - Date.now();
    if (wait > 0) await sleep(wait);
    while (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
    stats.sent += p.messageIds.length;
    const job: Promise<void> = deliver(p).finally(() => inFlight.delete(job));
    inFlight.add(job);
  }
  await Promise.all(inFlight);
  return stats;
}
