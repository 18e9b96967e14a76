import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { analystProcedure, createTRPCRouter, marketerProcedure, unwrap } from "@/server/api/trpc";
import { journeyTemplates } from "@/server/journey";
import { createJourney } from "@/server/journeys/create-journey";
import { getJourney, journeyDetailSchema } from "@/server/journeys/get-journey";
import { draftChangesSchema, getDraftChanges, getJourneyVersion, journeyVersionSchema } from "@/server/journeys/journey-versions";
import { journeySummarySchema, listJourneys, listJourneysInputSchema } from "@/server/journeys/list-journeys";
import { publishJourney } from "@/server/journeys/publish-journey";
import { saveJourneyDraft } from "@/server/journeys/save-journey-draft";
import { setJourneyStatus } from "@/server/journeys/set-journey-status";
import { recordAudit } from "@/server/workspaces/record-audit";

const journeyIdInput = z.object({ journeyId: z.uuid() });

export const journeyRouter = createTRPCRouter({
  list: analystProcedure
    .input(listJourneysInputSchema)
    .output(z.array(journeySummarySchema))
    .query(({ ctx, input }) => listJourneys(ctx.db, ctx.workspaceId, input)),

  /** Event names seen in the workspace lately, most frequent first: the inspector's event picker offers them. */
  eventNames: analystProcedure.query(async ({ ctx }) => {
    const rows = (await ctx.db.execute(sql`
      select name, count(*)::int as n from events
      where workspace_id = ${ctx.workspaceId} and received_at > now() - interval '30 days' and type = 'track'
      group by name order by n desc, name limit 200`)) as unknown as { name: string; n: number }[];
    return rows.map((r) => r.name);
  }),
  templates: analystProcedure
    .output(z.array(z.object({ id: z.string(), name: z.string(), description: z.string() })))
    .query(() => journeyTemplates.map((t) => ({ id: t.id, name: t.name, description: t.description }))),

  get: analystProcedure
    .input(journeyIdInput)
    .output(journeyDetailSchema)
    .query(async ({ ctx, input }) => {
      const journey = await getJourney(ctx.db, ctx.workspaceId, input.journeyId);
      if (!journey) throw new TRPCError({ code: "NOT_FOUND", message: "That journey does not exist." });
      return journey;
    }),

  /** A published version, read-only, with what it changed and how it differs from live. */
  version: analystProcedure
    .input(journeyIdInput.extend({ version: z.number().int().positive() }))
    .output(journeyVersionSchema)
    .query(async ({ ctx, input }) => {
      const version = await getJourneyVersion(ctx.db, ctx.workspaceId, input.journeyId, input.version);
      if (!version) throw new TRPCError({ code: "NOT_FOUND", message: `This journey has no version ${input.version}.` });
      return version;
    }),

  /** What publishing the saved draft would change against the live version. */
  draftChanges: analystProcedure
    .input(journeyIdInput)
    .output(draftChangesSchema)
    .query(async ({ ctx, input }) => {
      const changes = await getDraftChanges(ctx.db, ctx.workspaceId, input.journeyId);
      if (!changes) throw new TRPCError({ code: "NOT_FOUND", message: "That journey does not exist." });
      return changes;
    }),

  create: marketerProcedure
    .input(
      z.object({
        name: z.string().trim().min(1).max(200).optional(),
        from: z.union([z.object({ template: z.string().max(100) }), z.object({ blank: z.literal(true) }), z.object({ journeyId: z.uuid() })]),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const created = unwrap(await createJourney(ctx.db, { workspaceId: ctx.workspaceId, userId: ctx.userId, ...input }));
      await recordAudit(ctx.db, { workspaceId: ctx.workspaceId, actorId: ctx.userId, action: "journey.create", target: created.slug });
      return created;
    }),

  saveDraft: marketerProcedure
    .input(z.object({ journeyId: z.uuid(), document: z.record(z.string(), z.unknown()), baseRevision: z.number().int().positive() }))
    .mutation(async ({ ctx, input }) => unwrap(await saveJourneyDraft(ctx.db, { workspaceId: ctx.workspaceId, ...input }))),

  publish: marketerProcedure.input(journeyIdInput).mutation(async ({ ctx, input }) => {
    const res = await publishJourney(ctx.db, { workspaceId: ctx.workspaceId, journeyId: input.journeyId, userId: ctx.userId });
    const published = unwrap(res.ok ? res : { ok: false, code: res.code, message: res.message });
    await recordAudit(ctx.db, { workspaceId: ctx.workspaceId, actorId: ctx.userId, action: "journey.publish", target: input.journeyId, detail: `v${published.version}` });
    return published;
  }),

  setStatus: marketerProcedure
    .input(journeyIdInput.extend({ move: z.enum(["pause", "resume", "archive", "restore"]), hold: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => {
      const res = unwrap(await setJourneyStatus(ctx.db, { workspaceId: ctx.workspaceId, ...input }));
      await recordAudit(ctx.db, { workspaceId: ctx.workspaceId, actorId: ctx.userId, action: `journey.${input.move}`, target: input.journeyId, ...(input.move === "pause" ? { detail: input.hold ? "hold customers" : "let customers finish" } : {}) });
      return res;
    }),
});
