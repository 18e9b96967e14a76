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

describe("a busy worker's pause between rounds", () => {
  it("pauses only after a small round during which work arrived", async () => {
    // Each scripted round: how many inputs it handled; during each, more work arrives (a poke).
    const script = [5, 500, 60, 0, 7];
    const rounds: { start: number; end: number; handled: number }[] = [];
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    const worker: RuntimeWorker = new RuntimeWorker(db, db.$client, {
      batchSize: 100,
      pollMs: 60_000,
      paceMs,
      processPartitions: async () => {
        const start = performance.now();
        if (rounds.length >= script.length) {
          finished();
          return 0;
        }
        worker.poke();
        await sleep(2);
        const handled = script[rounds.length]!;
        rounds.push({ start, end: performance.now(), handled });
        return handled;
      },
    });
    await worker.start();
    try {
      await done;
    } finally {
      await worker.stop();
    }
    const gapAfter = (i: number) => rounds[i + 1]!.start - rounds[i]!.end;
    // 5 of at most 100, work arrived: paused.
    expect(gapAfter(0)).toBeGreaterThanOrEqual(paceMs - 1);
    // A full round (500 ≥ batchSize): at once, more may be waiting.
    expect(gapAfter(1)).toBeLessThan(paceMs / 2);
    // 60: not small (≥ 50): at once.
    expect(gapAfter(2)).toBeLessThan(paceMs / 2);
    // Nothing handled (a poke for work another worker took, a timer not yet due): at once, no pause for nothing.
    expect(gapAfter(3)).toBeLessThan(paceMs / 2);
  });
});
