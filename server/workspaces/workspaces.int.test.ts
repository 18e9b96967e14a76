import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { apiKeys } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from "./api-keys";
import { addMember, listMembers, removeMember } from "./members";
import { setMemberRole } from "./set-member-role";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

describe("API keys on Postgres", () => {
  it("stores only a hash and a prefix, authenticates by scope, and stops working once revoked", async () => {
    const { workspace, members } = await makeWorkspace(db, ["admin"]);
    const created = await createApiKey(db, { workspaceId: workspace.id, createdBy: members.admin, name: "pipe", scopes: ["events:write"] });
    const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(row!.keyHash).not.toContain(created.key);
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect(created.key.startsWith(row!.prefix)).toBe(true);

    expect(await authenticateApiKey(db, created.key, "events:write")).toEqual({ ok: true, value: { workspaceId: workspace.id, keyId: created.id } });
    const wrongScope = await authenticateApiKey(db, created.key, "analytics:read");
    expect(wrongScope.ok).toBe(false);
    expect(wrongScope.ok ? "" : wrongScope.message).toContain("analytics:read");
    // A key one character off (never the key itself: a key that already ends in "x" gets a "y").
    const offByOne = created.key.slice(0, -1) + (created.key.endsWith("x") ? "y" : "x");
    expect((await authenticateApiKey(db, offByOne, "events:write")).ok).toBe(false);
    expect((await authenticateApiKey(db, "garbage", "events:write")).ok).toBe(false);

    expect((await revokeApiKey(db, workspace.id, created.id)).ok).toBe(true);
    expect((await authenticateApiKey(db, created.key, "events:write")).ok).toBe(false);
    expect((await revokeApiKey(db, workspace.id, created.id)).ok).toBe(false);
    expect((await listApiKeys(db, workspace.id))[0]!.revokedAt).toBeInstanceOf(Date);
  });

  it("answers concurrent requests with the same key each by its own scope, and keeps nothing once they are answered", async () => {
    const { workspace, members } = await makeWorkspace(db, ["admin"]);
    const created = await createApiKey(db, { workspaceId: workspace.id, createdBy: members.admin, name: "busy", scopes: ["events:write"] });
    // Concurrent requests share one lookup; each is still checked against its own scope.
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => authenticateApiKey(db, created.key, i % 4 === 0 ? "analytics:read" : "events:write")));
    expect(answers.filter((a) => a.ok)).toHaveLength(30);
    expect(answers.filter((a) => !a.ok && a.message.includes("analytics:read"))).toHaveLength(10);
    expect((await listApiKeys(db, workspace.id))[0]!.lastUsedAt).toBeInstanceOf(Date);
    // Revoked after those were answered: the next request looks again and is refused.
    expect((await revokeApiKey(db, workspace.id, created.id)).ok).toBe(true);
    const after = await Promise.all([authenticateApiKey(db, created.key, "events:write"), authenticateApiKey(db, created.key, "events:write")]);
    expect(after.map((a) => a.ok)).toEqual([false, false]);
  });

  it("refuses a request that starts after the revocation commits, even while a lookup that read the key live is still running", async () => {
    const { workspace, members } = await makeWorkspace(db, ["admin"]);
    const created = await createApiKey(db, { workspaceId: workspace.id, createdBy: members.admin, name: "racing", scopes: ["events:write"] });
    let before: Promise<Awaited<ReturnType<typeof authenticateApiKey>>> | undefined;
    await db.$client.begin(async (tx) => {
      // The revocation holds the key's row: a lookup started now reads it live, then waits to note "last used".
      await tx`update api_keys set revoked_at = now() where id = ${created.id}`;
      before = authenticateApiKey(db, created.key, "events:write");
      await new Promise((r) => setTimeout(r, 200));
    });
    // Committed. This request starts after it; the earlier lookup may still be finishing.
    const after = authenticateApiKey(db, created.key, "events:write");
    expect((await before!).ok).toBe(true); // it read the key before the revocation committed: allowed, as before
    expect((await after).ok).toBe(false);
  });
});

describe("members on Postgres", () => {
  it("never leaves a workspace without an admin", async () => {
    const { workspace, members } = await makeWorkspace(db, ["admin", "marketer"]);
    const demote = await setMemberRole(db, { workspaceId: workspace.id, userId: members.admin, role: "analyst" });
    expect(demote).toMatchObject({ ok: false, code: "conflict" });
    expect((await removeMember(db, workspace.id, members.admin)).ok).toBe(false);
    // With a second admin, the first may step down.
    expect((await setMemberRole(db, { workspaceId: workspace.id, userId: members.marketer, role: "admin" })).ok).toBe(true);
    expect((await setMemberRole(db, { workspaceId: workspace.id, userId: members.admin, role: "analyst" })).ok).toBe(true);
  });

  it("holds the last-admin rule when two demotions race", async () => {
    const { workspace, members } = await makeWorkspace(db, ["admin", "marketer"]);
    await setMemberRole(db, { workspaceId: workspace.id, userId: members.marketer, role: "admin" });
    const results = await Promise.all([
      setMemberRole(db, { workspaceId: workspace.id, userId: members.admin, role: "analyst" }),
      setMemberRole(db, { workspaceId: workspace.id, userId: members.marketer, role: "analyst" }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect((await listMembers(db, workspace.id)).filter((m) => m.role === "admin")).toHaveLength(1);
  });

  it("adds new people with a first password and refuses duplicates and missing passwords", async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const email = `new-${tag}@test.waymark.dev`;
    expect(await addMember(db, workspace.id, { email, role: "analyst" })).toMatchObject({ ok: false, code: "invalid" });
    expect(await addMember(db, workspace.id, { email, role: "analyst", password: "first-pass-1" })).toMatchObject({ ok: true });
    expect(await addMember(db, workspace.id, { email, role: "marketer" })).toMatchObject({ ok: false, code: "conflict" });
    expect((await listMembers(db, workspace.id)).find((m) => m.email === email)?.role).toBe("analyst");
  });
});
