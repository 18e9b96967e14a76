import { randomUUID } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import { auditLog, memberRoles, users } from "@/db/schema";
import { adminProcedure, analystProcedure, createTRPCRouter, unwrap } from "@/server/api/trpc";
import { apiKeySummarySchema, createApiKeyInputSchema, createApiKey, listApiKeys, revokeApiKey } from "@/server/workspaces/api-keys";
import { addMember, addMemberInputSchema, listMembers, memberSchema, removeMember } from "@/server/workspaces/members";
import { recordAudit } from "@/server/workspaces/record-audit";
import { setMemberRole } from "@/server/workspaces/set-member-role";
import { channelSchema, workspaceSettingsSchema } from "@/server/journey/schema";
import { getWorkspaceSettings, saveWorkspaceSettings } from "@/server/workspaces/workspace-settings";
import { summarizeScoreModels } from "@/server/scores/model";
import { getScoreModels } from "@/server/scores/store";
import { channelFormSchema, listChannelProviders, loadChannelProvider, saveChannelForm } from "@/server/channels/channel-settings";
import { sendWith } from "@/server/channels/dispatch-due-messages";
import { createEventSource, createEventSourceInputSchema, listEventSources, revokeEventSource, rollEventSourceSecret } from "@/server/ingest/event-sources";

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

  /** How each channel delivers (sandbox log, webhook, SMTP); secrets are never sent back, only whether they are set. */
  channels: adminProcedure.query(({ ctx }) => listChannelProviders(ctx.db, ctx.workspaceId)),

  saveChannel: adminProcedure.input(channelFormSchema).mutation(async ({ ctx, input }) => {
    const saved = unwrap(await saveChannelForm(ctx.db, ctx.workspaceId, input));
    const where = saved.provider === "webhook" ? ` → ${saved.url}` : saved.provider === "smtp" ? ` → ${saved.host}:${saved.port}` : "";
    await recordAudit(ctx.db, { workspaceId: ctx.workspaceId, actorId: ctx.userId, action: "channel.save", target: input.channel, detail: `${saved.provider}${where}` });
    return { provider: saved.provider };
  }),

  /** Sends one test message through a channel's saved settings, now, outside any journey (to the admin's own address for email). */
  testChannel: adminProcedure.input(z.object({ channel: channelSchema })).mutation(async ({ ctx, input }) => {
    const user = await ctx.db.query.users.findFirst({ where: eq(users.id, ctx.userId) });
    const result = await sendWith(await loadChannelProvider(ctx.db, ctx.workspaceId, input.channel), {
      key: `test:${randomUUID()}`,
      workspaceId: ctx.workspaceId,
      customerId: user?.email ?? ctx.userId,
      journeyId: "(test)",
      nodeId: "(test)",
      channel: input.channel,
      to: user?.email ?? null,
      subject: "Waymark test message",
      body: `A test of the ${input.channel} channel of workspace ${ctx.workspace.name}, sent from Settings.`,
      data: { test: true },
    });
    return result.ok ? { ok: true as const, detail: result.detail ?? "sent" } : { ok: false as const, error: result.error };
  }),

  eventSources: adminProcedure.query(({ ctx }) => listEventSources(ctx.db, ctx.workspaceId)),

  createEventSource: adminProcedure.input(createEventSourceInputSchema).mutation(async ({ ctx, input }) => {
    const created = unwrap(await createEventSource(ctx.db, ctx.workspaceId, input));
    await recordAudit(ctx.db, { workspaceId: ctx.workspaceId, actorId: ctx.userId, action: "source.create", target: created.slug, detail: input.name });
    return created;
  }),

  rollEventSourceSecret: adminProcedure.input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => {
    const rolled = unwrap(await rollEventSourceSecret(ctx.db, ctx.workspaceId, input.id));
    await recordAudit(ctx.db, { workspaceId: ctx.workspaceId, actorId: ctx.userId, action: "source.roll_secret", target: rolled.slug });
    return rolled;
  }),

  revokeEventSource: adminProcedure.input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => {
    const revoked = unwrap(await revokeEventSource(ctx.db, ctx.workspaceId, input.id));
    await recordAudit(ctx.db, { workspaceId: ctx.workspaceId, actorId: ctx.userId, action: "source.revoke", target: revoked.slug });
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
