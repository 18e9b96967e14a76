import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import type { MemberRole } from "@/db/schema";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appRouter, createCaller } from "./root";
import type { ProcedureMeta } from "./trpc";

/**
 * The authorization matrix: every tRPC procedure and the least role it needs.
 * Adding a procedure without a row here fails the first test, so nobody ships
 * an endpoint whose access was never decided.
 */
const matrix: Record<string, ProcedureMeta["role"]> = {
  "analytics.ops": "analyst",
  "analytics.journeyTiming": "analyst",
  "analytics.globalControl": "analyst",
  "analytics.journeyReport": "analyst",
  "analytics.decisionReport": "analyst",
  "customer.search": "analyst",
  "customer.timeline": "analyst",
  "journey.list": "analyst",
  "journey.templates": "analyst",
  "journey.eventNames": "analyst",
  "journey.get": "analyst",
  "journey.version": "analyst",
  "journey.draftChanges": "analyst",
  "journey.create": "marketer",
  "journey.saveDraft": "marketer",
  "journey.publish": "marketer",
  "journey.setStatus": "marketer",
  "message.list": "analyst",
  "workspace.current": "analyst",
  "workspace.settings": "analyst",
  "workspace.scoreModels": "analyst",
  "workspace.updateSettings": "admin",
  "workspace.members": "admin",
  "workspace.addMember": "admin",
  "workspace.setMemberRole": "admin",
  "workspace.removeMember": "admin",
  "workspace.apiKeys": "admin",
  "workspace.createApiKey": "admin",
  "workspace.revokeApiKey": "admin",
  "workspace.channels": "admin",
  "workspace.saveChannel": "admin",
  "workspace.testChannel": "admin",
  "workspace.eventSources": "admin",
  "workspace.createEventSource": "admin",
  "workspace.rollEventSourceSecret": "admin",
  "workspace.revokeEventSource": "admin",
  "workspace.auditLog": "admin",
};

const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta; type: string } }>;
const rank: Record<MemberRole, number> = { analyst: 0, marketer: 1, admin: 2 };

let db: Db;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.$end();
});

async function outcome(userId: string | null, path: string): Promise<"allowed" | "UNAUTHORIZED" | "FORBIDDEN"> {
  const session = userId ? { user: { id: userId }, expires: new Date(Date.now() + 3600_000).toISOString() } : null;
  const caller = createCaller({ db, session, headers: new Headers() }) as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>;
  const [ns, name] = path.split(".") as [string, string];
  try {
    // An input that no schema accepts: a caller who gets past authorization sees BAD_REQUEST, and nothing runs.
    await caller[ns]![name]!({ "\u0000invalid": true, userId: "not-a-uuid", id: "not-a-uuid", name: "", email: "x", scopes: [], role: "nobody", limit: -1 });
    return "allowed";
  } catch (err) {
    if (err instanceof TRPCError && (err.code === "UNAUTHORIZED" || err.code === "FORBIDDEN")) return err.code;
    return "allowed";
  }
}

describe("authorization matrix", () => {
  it("has exactly one row per procedure, matching the role the procedure declares", () => {
    expect(Object.keys(procedures).sort()).toEqual(Object.keys(matrix).sort());
    for (const [path, proc] of Object.entries(procedures)) expect(proc._def.meta?.role, path).toBe(matrix[path]);
  });

  it("allows and denies each procedure for admin, marketer, analyst, signed-out and another workspace's member", async () => {
    const ws = await makeWorkspace(db);
    const other = await makeWorkspace(db, ["admin"]);
    for (const [path, needed] of Object.entries(matrix)) {
      expect(await outcome(null, path), `${path} signed out`).toBe(needed === "public" ? "allowed" : "UNAUTHORIZED");
      for (const role of ["admin", "marketer", "analyst"] as const) {
        const expected = needed === "public" || needed === "signed_in" || rank[role] >= rank[needed] ? "allowed" : "FORBIDDEN";
        expect(await outcome(ws.members[role], path), `${path} as ${role}`).toBe(expected);
      }
      // Another workspace's admin is allowed by role but only ever sees their own workspace (see procedures.int.test.ts).
      expect(await outcome(other.members.admin, path), `${path} as another workspace's admin`).toBe("allowed");
    }
  });
});
