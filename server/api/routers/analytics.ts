import { TRPCError } from "@trpc/server";
import { analystProcedure, createTRPCRouter } from "@/server/api/trpc";
import { getJourneyReport, journeyReportInputSchema } from "@/server/analytics/journey-report";
import { getOpsReport } from "@/server/analytics/ops-report";
import { getJourneyTiming } from "@/server/analytics/journey-timing";
import { getGlobalControlReport, globalControlInputSchema } from "@/server/analytics/global-control";
import { decisionReportInputSchema, getDecisionReport } from "@/server/decisions/decision-report";

export const analyticsRouter = createTRPCRouter({
  /** The runtime at a glance (ingest, queue lag, timers, dispatch); any member may look. */
  ops: analystProcedure.query(({ ctx }) => getOpsReport(ctx.db, ctx.workspaceId)),
  /** Every journey against the workspace's global control group. */
  globalControl: analystProcedure.input(globalControlInputSchema).query(({ ctx, input }) => getGlobalControlReport(ctx.db, ctx.workspaceId, input)),
  journeyReport: analystProcedure.input(journeyReportInputSchema).query(async ({ ctx, input }) => {
    const report = await getJourneyReport(ctx.db, ctx.workspaceId, input);
    if (!report) throw new TRPCError({ code: "NOT_FOUND", message: "That journey does not exist." });
    return report;
  }),
  journeyTiming: analystProcedure.input(journeyReportInputSchema).query(async ({ ctx, input }) => {
    const timing = await getJourneyTiming(ctx.db, ctx.workspaceId, input);
    if (!timing) throw new TRPCError({ code: "NOT_FOUND", message: "That journey does not exist." });
    return timing;
  }),
  decisionReport: analystProcedure.input(decisionReportInputSchema).query(async ({ ctx, input }) => {
    const report = await getDecisionReport(ctx.db, ctx.workspaceId, input);
    if (!report) throw new TRPCError({ code: "NOT_FOUND", message: "That journey does not exist." });
    return report;
  }),
});
