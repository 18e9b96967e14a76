import { initTRPC, TRPCError } from "@trpc/server";
import { and, asc, eq } from "drizzle-orm";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { getDb, type Db } from "@/db/client";
import { memberships, workspaces, type MemberRole } from "@/db/schema";
import { auth } from "@/server/auth/config";
import { findUnstorable } from "@/server/journey/unstorable-text";
import type { Failure } from "@/server/result";
import { roleAllows } from "@/server/workspaces/roles";

export const workspaceCookie = "waymark-workspace";

/** Context of every call: the database, the signed-in session (if any) and the request headers. */
export async function createTRPCContext(opts: { headers: Headers }) {
  const db = await getDb();
  const session = await auth();
  return { db, session, headers: opts.headers };
}
export type TRPCContext = Awaited<ReturnType<typeof createTRPCContext>>;

/** Every procedure states the least role it needs; `public` means signed-out callers too. */
export type ProcedureMeta = { role: MemberRole | "public" | "signed_in" };

const t = initTRPC
  .context<TRPCContext>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      return {
        ...shape,
        data: { ...shape.data, zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null },
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Text Postgres cannot store (NUL, unpaired surrogates) would fail at the
 * database as a 500. Every procedure refuses it up front with a 400 that says
 * where (after authorization, so a stranger still learns nothing).
 */
const storableText = t.middleware(async ({ getRawInput, next }) => {
  const found = findUnstorable(await getRawInput());
  if (found) throw new TRPCError({ code: "BAD_REQUEST", message: `${found.path ? `${found.path}: ` : ""}${found.message}` });
  return next();
});

export const publicProcedure = t.procedure.meta({ role: "public" }).use(storableText);

const signedIn = t.middleware(({ ctx, next }) => {
  const userId = ctx.session?.user?.id;
  if (!userId) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return next({ ctx: { ...ctx, userId } });
});

export const signedInProcedure = t.procedure.meta({ role: "signed_in" }).use(signedIn).use(storableText);

function readCookie(headers: Headers, name: string): string | undefined {
  const header = headers.get("cookie") ?? "";
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

/** The caller's membership in the chosen workspace (cookie), else in their first workspace. */
export async function resolveMembership(db: Db, userId: string, slug: string | undefined) {
  const rows = await db
    .select({ workspaceId: workspaces.id, slug: workspaces.slug, name: workspaces.name, role: memberships.role })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(and(eq(memberships.userId, userId)))
    .orderBy(asc(memberships.createdAt));
  return rows.find((r) => r.slug === slug) ?? rows[0];
}

/** A procedure that needs at least `role` in the caller's workspace; puts workspaceId in the context. */
export function roleProcedure(role: MemberRole) {
  return t.procedure
    .meta({ role })
    .use(signedIn)
    .use(async ({ ctx, next }) => {
      const membership = await resolveMembership(ctx.db, ctx.userId, readCookie(ctx.headers, workspaceCookie));
      if (!membership) throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of any workspace." });
      if (!roleAllows(membership.role, role)) {
        throw new TRPCError({ code: "FORBIDDEN", message: `This needs the ${role} role; you are ${membership.role}.` });
      }
      return next({ ctx: { ...ctx, workspaceId: membership.workspaceId, workspace: membership, role: membership.role } });
    })
    .use(storableText);
}

export const analystProcedure = roleProcedure("analyst");
export const marketerProcedure = roleProcedure("marketer");
export const adminProcedure = roleProcedure("admin");

const failureCodes = { invalid: "BAD_REQUEST", not_found: "NOT_FOUND", conflict: "CONFLICT", forbidden: "FORBIDDEN" } as const satisfies Record<
  Failure["code"],
  TRPCError["code"]
>;

/** Turns a domain failure value into the matching tRPC error (a 4xx with the message). */
export function unwrap<T>(result: { ok: true; value: T } | Failure): T {
  if (result.ok) return result.value;
  throw new TRPCError({ code: failureCodes[result.code], message: result.message });
}
