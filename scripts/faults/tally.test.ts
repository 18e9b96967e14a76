import { describe, expect, it } from "vitest";
import { tallyFaultRun, type OutboxRow } from "./tally";

const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);
const clean = () => {
  const accepted = new Set(ids(5));
  const stored = new Map<string, boolean>(ids(5).map((m) => [m, true]));
  const outbox: OutboxRow[] = ids(5).map((m) => ({ key: `k-${m}`, status: "sent", messageId: m }));
  const deliveries = ids(5).map((m) => ({ key: `k-${m}` }));
  return { accepted, stored, outbox, deliveries };
};

describe("fault run tally", () => {
  it("passes a clean run and counts wire repeats of one key separately", () => {
    const run = clean();
    run.deliveries.push({ key: "k-m1" }, { key: "k-m1" });
    expect(tallyFaultRun(run)).toMatchObject({ accepted: 5, processed: 5, queued: 5, dispatched: 5, duplicates: 0, lost: 0, wireRepeats: 2, strays: 0 });
  });

  it("counts a second outbox row for one event as a duplicate, even when both were delivered", () => {
    const run = clean();
    run.outbox.push({ key: "k-m2-again", status: "sent", messageId: "m2" });
    run.deliveries.push({ key: "k-m2-again" });
    const t = tallyFaultRun(run);
    expect(t.duplicates).toBe(1);
    expect(t.lost).toBe(0);
    expect(t.examples.join("\n")).toContain("m2 has 2 outbox rows");
  });

  it("counts an accepted event as lost when it is missing, unprocessed, unqueued, unsent or undelivered", () => {
    const run = clean();
    run.stored.delete("m0"); // never stored
    run.outbox = run.outbox.filter((r) => r.messageId !== "m0");
    run.stored.set("m1", false); // stored, not processed
    run.outbox = run.outbox.filter((r) => r.messageId !== "m2"); // no message
    run.outbox.find((r) => r.messageId === "m3")!.status = "pending"; // not marked sent
    run.deliveries = run.deliveries.filter((d) => d.key !== "k-m4"); // never reached the receiver
    const t = tallyFaultRun(run);
    expect(t).toMatchObject({ accepted: 5, processed: 3, dispatched: 1, lost: 5, duplicates: 0 });
  });

  it("reports deliveries of unknown keys, orphan outbox rows and events stored without an acknowledgement", () => {
    const run = clean();
    run.deliveries.push({ key: "who-sent-this" });
    run.outbox.push({ key: "k-x", status: "sent", messageId: null });
    run.stored.set("m9", true);
    run.outbox.push({ key: "k-m9", status: "sent", messageId: "m9" });
    const t = tallyFaultRun(run);
    expect(t).toMatchObject({ strays: 1, duplicates: 1, unacknowledged: 1, lost: 0 });
  });
});
