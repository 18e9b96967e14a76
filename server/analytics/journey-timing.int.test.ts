import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { journeyDocumentSchema } from "@/server/journey";
import { getJourneyTiming } from "./journey-timing";
import { drainRuntime, publishDocument } from "@/server/testing/runtime";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});
const hour = 3600_000;

describe("journey timing and paths", () => {
  it("measures time to convert, velocity and the most common paths from the counters the runtime keeps", { timeout: 60_000 }, async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const doc = journeyDocumentSchema.parse({
      format: "waymark.journey/v1",
      id: `timing-${tag}`,
      name: "timing",
      settings: { goal: { event: "purchase", within: "P7D", exitOnGoal: false }, timezone: "UTC" },
      nodes: [
        { id: "t", kind: "trigger", config: { event: "visit" } },
        { id: "b", kind: "branch", config: { cases: [{ handle: "vip", when: { path: "event.properties.vip", op: "eq", value: true } }] } },
        { id: "w", kind: "wait", config: { for: "PT1H" } },
        { id: "m", kind: "message", config: { channel: "in_app", template: "hi" } },
      ],
      edges: [{ from: "t", to: "b" }, { from: "b", handle: "vip", to: "m" }, { from: "b", handle: "else", to: "w" }, { from: "w", to: "m" }],
    });
    const id = await publishDocument(db, workspace.id, doc);

    // Ten customers entered five hours ago; three are VIPs (straight to the message); four bought two hours after entering.
    const t0 = Date.now() - 5 * hour;
    const ev = (i: number, name: string, at: number, properties: Record<string, unknown> = {}) => ({ type: "track" as const, userId: `u${i}`, anonymousId: null, customerId: `u${i}`, name, properties, traits: {}, context: {}, timestamp: new Date(at), messageId: `${tag}-${name}-${i}` });
    await appendEvents(db, workspace.id, Array.from({ length: 10 }, (_, i) => ev(i, "visit", t0, { vip: i < 3 })), "test");
    await appendEvents(db, workspace.id, [0, 4, 5, 6].map((i) => ev(i, "purchase", t0 + 2 * hour)), "test");
    await drainRuntime(db, { batchSize: 500, ai: null });

    const timing = (await getJourneyTiming(db, workspace.id, { journeyId: id }))!;
    // Read from log-scale histograms: within 4.5 % of the true figure.
    const near = (ms: number | null, expected: number) => expect(Math.abs(ms! - expected) / expected).toBeLessThan(0.045);
    expect(timing.timeToConvert.n).toBe(4);
    near(timing.timeToConvert.p50Ms, 2 * hour);
    near(timing.timeToConvert.p90Ms, 2 * hour);
    // VIPs are done at once; the others after their hour's wait: median 1 h, 30th percentile an instant.
    expect(timing.velocity.n).toBe(10);
    near(timing.velocity.p50Ms, hour);
    expect(timing.instances).toBe(10);
    expect(timing.paths).toEqual([
      { path: ["t", "b", "w", "m"], customers: 7, share: 0.7 },
      { path: ["t", "b", "m"], customers: 3, share: 0.3 },
    ]);
    // A range with nothing in it, and a journey that does not exist.
    expect(await getJourneyTiming(db, workspace.id, { journeyId: id, from: "2020-01-01", to: "2020-01-02" })).toEqual({ timeToConvert: { n: 0, p50Ms: null, p90Ms: null }, velocity: { n: 0, p50Ms: null, p90Ms: null }, paths: [], instances: 0 });
    expect(await getJourneyTiming(db, workspace.id, { journeyId: "00000000-0000-0000-0000-000000000000" })).toBeNull();
  });
});
