import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { RuntimeWorker } from "./worker";

/**
 * A worker busy with small rounds (work arrived during the round) waits paceMs
 * before the next one, so that one takes more at a time; a full round, a round
 * of 50 or more, or one that found nothing goes on at once. The rounds here are
 * scripted (processPartitions is a stand-in that says how much it handled and
 * whether work arrived meanwhile); the lease and the loop are the real ones.
 * On a database of its own: the loop also sends what the outbox has due, and
 * goes round at once when that claim comes back full, as it may with the
 * messages other test files left to unreachable receivers.
 */
let db: Db;
let admin: postgres.Sql;
const name = `waymark_pace_${randomUUID().slice(0, 8)}`;
beforeAll(async () => {
  const url = new URL(process.env.DATABASE_URL!);
  admin = postgres(url.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  db = createDb(url.toString(), { max: 4 });
});
afterAll(async () => {
  await db?.$end();
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const paceMs = 1_000;

/** A scripted round: how many inputs it handled; whether work arrives during it (a poke); how long it takes; when it says the next timer is due (ms after it ends). */
type Round = { handled: number; poke?: boolean; ms?: number; timerAfterMs?: number };

/**
 * Runs a worker through scripted rounds and returns, after each, whether the loop paused before the next: the gap is
 * at least the pause, or far shorter (between rounds the loop may also send what the outbox has due, an empty claim).
 */
async function pausesAfter(batchSize: number, script: (number | Round)[]): Promise<boolean[]> {
  const plan = script.map((r): Round => (typeof r === "number" ? { handled: r, poke: true } : r));
  const rounds: { start: number; end: number }[] = [];
  let finishedAt = 0;
  let finished!: () => void;
  const done = new Promise<void>((r) => (finished = r));
  const worker: RuntimeWorker = new RuntimeWorker(db, db.$client, {
    batchSize,
    pollMs: 60_000,
    paceMs,
    processPartitions: async (_db, _partitions, opts) => {
      const start = performance.now();
      const round = plan[rounds.length];
      if (!round) {
        finishedAt ||= start;
        finished();
        return 0;
      }
      if (round.poke) worker.poke();
      await sleep(round.ms ?? 2);
      if (round.timerAfterMs !== undefined) opts.onNextTimer?.(new Date(Date.now() + round.timerAfterMs));
      rounds.push({ start, end: performance.now() });
      return round.handled;
    },
  });
  await worker.start();
  try {
    await done;
  } finally {
    await worker.stop();
  }
  return rounds.map((r, i) => (rounds[i + 1]?.start ?? finishedAt) - r.end >= paceMs - 1);
}

describe("a busy worker's pause between rounds", () => {
  it("pauses after a small round during which work arrived, not after a full one", async () => {
    // Of at most 20 a round: 5 is small; 20 is full (more may be waiting), though small.
    expect(await pausesAfter(20, [5, 20])).toEqual([true, false]);
  });

  it("pauses after fewer than 50, never after 50 or more, nor after a round that found nothing", async () => {
    // Of at most 100: 60 and 50 are not small; 49 is the largest small round; 0 (a poke for work another worker took)
    // gets no pause for nothing.
    expect(await pausesAfter(100, [60, 0, 49, 50])).toEqual([false, false, true, false]);
  });

  it("does not pause when a timer came due during the small round: timers fire on time", async () => {
    // The first round (not small, work arriving: the next goes at once) says a timer is due 50 ms after it; the second
    // (small, 300 ms long, no other work) is under way then, so the timer's wake-up comes during it. The third is small
    // with work arriving: it pauses.
    expect(await pausesAfter(100, [{ handled: 60, poke: true, timerAfterMs: 50 }, { handled: 3, ms: 300 }, 5])).toEqual([false, false, true]);
  });
});
