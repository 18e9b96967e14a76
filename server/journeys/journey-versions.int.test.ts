import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { journeyTemplates } from "@/server/journey";
import { getDraftChanges, getJourneyVersion } from "./journey-versions";
import { publishJourney } from "./publish-journey";
import { saveJourneyDraft } from "./save-journey-draft";
import { createJourneyIfMissing } from "./upsert-journey-draft";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

describe("journey versions", () => {
  it("shows a version read-only with what it changed, how live differs, and what the draft would change; only to its workspace", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const other = await makeWorkspace(db, ["admin"]);
    const document = { ...structuredClone(journeyTemplates.find((t) => t.id === "abandoned-cart")!.document), id: `cart-${tag}` };
    const { id } = await createJourneyIfMissing(db, { workspaceId: workspace.id, createdBy: null, document });
    const fresh = await getDraftChanges(db, workspace.id, id);
    expect(fresh?.liveVersion).toBeNull();
    expect(fresh?.changes.filter((c) => c.area === "step" && c.change === "added")).toHaveLength(document.nodes.length);

    expect((await publishJourney(db, { workspaceId: workspace.id, journeyId: id, userId: null })).ok).toBe(true);
    expect(await getDraftChanges(db, workspace.id, id)).toEqual({ liveVersion: 1, changes: [] });

    const edited = structuredClone(document);
    edited.settings.holdoutPercent = 20;
    edited.nodes.find((n) => n.id === "wait_1h")!.config = { for: "PT2H" };
    const saved = await saveJourneyDraft(db, { workspaceId: workspace.id, journeyId: id, document: edited as unknown as Record<string, unknown> });
    expect(saved.ok).toBe(true);
    const pending = await getDraftChanges(db, workspace.id, id);
    expect(pending?.changes.map((c) => `${c.area}:${c.target}:${c.detail}`).sort()).toEqual(["settings:holdoutPercent:10% → 20%", "step:wait_1h:Wait · Wait 1 h → Wait · Wait 2 h"]);

    expect((await publishJourney(db, { workspaceId: workspace.id, journeyId: id, userId: null })).ok).toBe(true);
    const v1 = await getJourneyVersion(db, workspace.id, id, 1);
    expect(v1).toMatchObject({ version: 1, liveVersion: 2, sincePrevious: null });
    expect(v1?.document.nodes).toEqual(document.nodes);
    expect(v1?.toLive).toEqual(pending?.changes);
    const v2 = await getJourneyVersion(db, workspace.id, id, 2);
    expect(v2?.sincePrevious).toEqual(pending?.changes);
    expect(v2?.toLive).toBeNull(); // v2 is live

    expect(await getJourneyVersion(db, workspace.id, id, 3)).toBeNull();
    expect(await getJourneyVersion(db, other.workspace.id, id, 1)).toBeNull();
    expect(await getDraftChanges(db, other.workspace.id, id)).toBeNull();
  });
});
