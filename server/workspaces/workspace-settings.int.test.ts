import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { journeyDocumentSchema } from "@/server/journey";
import { getWorkspaceSettings, saveWorkspaceSettings } from "./workspace-settings";
import { drainRuntime, publishDocument } from "@/server/testing/runtime";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

describe("workspace settings in the runtime", () => {
  it("a workspace frequency cap holds across journeys, and invalid settings are refused without change", { timeout: 60_000 }, async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    await saveWorkspaceSettings(db, workspace.id, { frequencyCap: [{ channel: "any", max: 1, per: "P1D" }], globalHoldoutPercent: 0 });
    await expect(saveWorkspaceSettings(db, workspace.id, { frequencyCap: [], globalHoldoutPercent: 99 })).rejects.toThrow();
    expect((await getWorkspaceSettings(db, workspace.id)).frequencyCap).toEqual([{ channel: "any", max: 1, per: "P1D" }]);

    for (const n of ["one", "two"]) {
      const doc = journeyDocumentSchema.parse({
        format: "waymark.journey/v1",
        id: `${n}-${tag}`,
        name: n,
        nodes: [
          { id: "t", kind: "trigger", config: { event: "signup" } },
          { id: "m", kind: "message", config: { channel: "in_app", template: n } },
        ],
        edges: [{ from: "t", to: "m" }],
      });
      await publishDocument(db, workspace.id, doc);
    }
    await appendEvents(db, workspace.id, [{ type: "track", userId: "c1", anonymousId: null, customerId: "c1", name: "signup", properties: {}, traits: {}, context: {}, timestamp: new Date(), messageId: `${tag}-1` }], "test");
    await drainRuntime(db, { batchSize: 100, ai: null });
    const types = (await db.execute(sql`select type from step_log where workspace_id = ${workspace.id} and type in ('message', 'blocked') order by type`)) as unknown as { type: string }[];
    expect(types.map((t) => t.type)).toEqual(["blocked", "message"]);
  });
});
