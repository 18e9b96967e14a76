import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import { auditLog, memberRoles, users } from "@/db/schema";
import { adminProcedure, analystProcedure, createTRPCRouter, unwrap } from "@/server/api/trpc";
import { apiKeySummarySchema, createApiKeyInputSchema, createApiKey, listApiKeys, revokeApiKey } from "@/server/workspaces/api-keys";
import { addMember, addMemberInputSchema, listMembers, memberSchema, removeMember } from "@/server/workspaces/members";
import { recordAudit } from "@/server/workspaces/record-audit";
import { setMemberRole } from "@/server/workspaces/set-member-role";
import { workspaceSettingsSchema } from "@/server/journey/schema";
import { getWorkspaceSettings, saveWorkspaceSettings } from "@/server/workspaces/workspace-settings";
import { summarizeScoreModels } from "@/server/scores/model";
import { getScoreModels } from "@/server/scores/store";

export const workspaceRouter = createTRPCRouter({
  current: analystProcedure
    .output(
      z.object({
        workspace: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
        role: z.enum(memberRoles),
        user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
      }),
    )
    .query(async ({ ctx }) => {
      const user = await ctx.db.query.users.findFirst({ where: eq(users.id, ctx.userId) });
      return {
        workspace: { id: ctx.workspaceId, slug: ctx.workspace.slug, name: ctx.workspace.name },
        role: ctx.role,
        user: { id: ctx.userId, email: user?.email ?? "", name: user?.name ?? "" },
      };
    }),

  settings: analystProcedure.query(({ ctx }) => getWorkspaceSettings(ctx.db, ctx.workspaceId)),

  /** The predictive score models: examples learned from and each feature's weight against its prior. */
  scoreModels: analystProcedure.query(async ({ ctx }) => summarizeScoreModels(await getScoreModels(ctx.db, ctx.workspaceId))),

  updateSettings: adminProcedure.input(workspaceSettingsSchema).mutation(async ({ ctx, input }) => {
    const saved = await saveWorkspaceSettings(ctx.db, ctx.workspaceId, input);
    await recordAudit(ctx.db, { workspaceId: ctx.workspaceId, actorId: ctx.userId, action: "workspace.settings", target: ctx.workspace.slug, detail: JSON.stringify(saved) });
    return saved;
  }),

  members: adminProcedure.output(z.array(memberSchema)).query(({ ctx }) => listMembers(ctx.db, ctx.workspaceId)),

  addMember: adminProcedure.input(addMemberInputSchema).mutation(async ({ ctx, input }) => {
    const added = unwrap(await addMember(ctx.db, ctx.workspaceId, input));
    await recordAudit(ctx.db, { workspaceId: ctx.workspaceId, actorId: ctx.userId, action: "member.add", target: input.email, detail: input.role });
    return added;
  }),

  setMemberRole: adminProcedure
    .input(z.object({ userId: z.uuid(), role: z.enum(memberRoles) }))
    .mutation(async ({ ctx, input }) => {
      const changed = unwrap(await setMemberRole(ctx.db, { workspaceId: ctx.workspaceId, ...input }));
      await recordAudit(ctx.db, { workspaceId: ctx.workspaceId, actorId: ctx.userId, action: "member.role", target: input.userId, detail: input.role });
      return changed;
    }),

  removeMember: adminProcedure.input(z.object({ userId: z.uuid() })).mutation(async ({ ctx, input }) => {
    unwrap(await removeMember(ctx.db, ctx.workspaceId, input.userId));
    await recordAudit(ctx.db, { workspaceId: ctx.workspaceId, actorId: ctx.userId, action: "member.remove", target: input.userId });
    return null;
  }),

  apiKeys: adminProcedure.output(z.array(apiKeySummarySchema)).query(({ ctx }) => listApiKeys(ctx.db, ctx.workspaceId)),

  createApiKey: adminProcedure
    .input(createApiKeyInputSchema)
    .output(z.object({ id: z.string(), key: z.string(), prefix: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const created = await createApiKey(ctx.db, { workspaceId: ctx.workspaceId, createdBy: ctx.userId, ...input });
      await recordAudit(ctx.db, { workspaceId: ctx.workspaceId, actorId: ctx.userId, action: "api_key.create", target: created.prefix, detail: input.scopes.join(" ") });
      return created;
    }),

  revokeApiKey: adminProcedure.input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => {
    const revoked = unwrap(await revokeApiKey(ctx.db, ctx.workspaceId, input.id));
    await recordAudit(ctx.db, { workspaceId: ctx.workspaceId, actorId: ctx.userId, action: "api_key.revoke", target: revoked.name });
    return revoked;
  }),

  auditLog: adminProcedure
    .output(z.array(z.object({ id: z.string(), action: z.string(), target: z.string(), detail: z.string(), at: z.date(), actor: z.string().nullable() })))
    .query(({ ctx }) =>
      ctx.db
        .select({ id: auditLog.id, action: auditLog.action, target: auditLog.target, detail: auditLog.detail, at: auditLog.at, actor: users.email })
        .from(auditLog)
        .leftJoin(users, eq(users.id, auditLog.actorId))
        .where(eq(auditLog.workspaceId, ctx.workspaceId))
        .orderBy(desc(auditLog.at))
        .limit(100),
    ),
});
