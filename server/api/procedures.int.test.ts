import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { createCaller } from "./root";
import { workspaceCookie } from "./trpc";

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

function callerFor(userId: string | null, workspaceSlug?: string) {
  const headers = new Headers(workspaceSlug ? { cookie: `${workspaceCookie}=${workspaceSlug}` } : {});
  const session = userId ? { user: { id: userId }, expires: new Date(Date.now() + 3600_000).toISOString() } : null;
  return createCaller({ db, session, headers });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    if (err instanceof TRPCError) return err.code;
    throw err;
  }
}

describe("tRPC procedures by role, on Postgres", () => {
  it("refuses signed-out callers", async () => {
    expect(await codeOf(callerFor(null).journey.list({}))).toBe("UNAUTHORIZED");
  });

  it("lets an analyst read journeys but not manage keys or members", async () => {
    const { members } = await makeWorkspace(db);
    const analyst = callerFor(members.analyst);
    expect(await codeOf(analyst.journey.list({}))).toBe("OK");
    expect(await codeOf(analyst.workspace.createApiKey({ name: "x", scopes: ["events:write"] }))).toBe("FORBIDDEN");
    expect(await codeOf(analyst.workspace.members())).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(members.marketer).workspace.apiKeys())).toBe("FORBIDDEN");
  });

  it("keeps workspaces apart: an admin sees only their own keys and members", async () => {
    const a = await makeWorkspace(db, ["admin"]);
    const b = await makeWorkspace(db, ["admin"]);
    await callerFor(a.members.admin).workspace.createApiKey({ name: "a-key", scopes: ["events:write"] });
    const bKeys = await callerFor(b.members.admin).workspace.apiKeys();
    expect(bKeys.map((k) => k.name)).not.toContain("a-key");
    const aKeys = await callerFor(a.members.admin).workspace.apiKeys();
    expect(aKeys.map((k) => k.name)).toEqual(["a-key"]);
    // Pointing the workspace cookie at another workspace does not give access to it.
    const sneaky = await callerFor(a.members.admin, b.workspace.slug).workspace.current();
    expect(sneaky.workspace.id).toBe(a.workspace.id);
    // Revoking another workspace's key by id is "not found", and changes nothing.
    const bKey = await callerFor(b.members.admin).workspace.createApiKey({ name: "b-key", scopes: ["events:write"] });
    expect(await codeOf(callerFor(a.members.admin).workspace.revokeApiKey({ id: bKey.id }))).toBe("NOT_FOUND");
    expect((await callerFor(b.members.admin).workspace.apiKeys()).find((k) => k.id === bKey.id)?.revokedAt).toBeNull();
  });

  it("validates input with clear 4xx errors", async () => {
    const { members } = await makeWorkspace(db, ["admin"]);
    const admin = callerFor(members.admin);
    expect(await codeOf(admin.workspace.createApiKey({ name: "", scopes: ["events:write"] }))).toBe("BAD_REQUEST");
    expect(await codeOf(admin.workspace.createApiKey({ name: "k", scopes: [] }))).toBe("BAD_REQUEST");
    // @ts-expect-error an unknown scope is refused at the boundary
    expect(await codeOf(admin.workspace.createApiKey({ name: "k", scopes: ["root"] }))).toBe("BAD_REQUEST");
    expect(await codeOf(admin.workspace.addMember({ email: "not-an-email", role: "analyst" }))).toBe("BAD_REQUEST");
  });

  it("writes an audit line for each admin action", async () => {
    const { members } = await makeWorkspace(db, ["admin"]);
    const admin = callerFor(members.admin);
    const key = await admin.workspace.createApiKey({ name: "audited", scopes: ["events:write"] });
    await admin.workspace.revokeApiKey({ id: key.id });
    const log = await admin.workspace.auditLog();
    expect(log.map((e) => e.action)).toEqual(["api_key.revoke", "api_key.create"]);
    expect(log[1]!.detail).toBe("events:write");
  });
});
