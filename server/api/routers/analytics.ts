import { TRPCError } from "@trpc/server";
import { analystProcedure, createTRPCRouter } from "@/server/api/trpc";
import { getJourneyReport, journeyReportInputSchema } from "@/server/analytics/journey-report";
import { decisionReportInputSchema, getDecisionReport } from "@/server/decisions/decision-report";

export const analyticsRouter = createTRPCRouter({
  journeyReport: analystProcedure.input(journeyReportInputSchema).query(async ({ ctx, input }) => {
    const report = await getJourneyReport(ctx.db, ctx.workspaceId, input);
    if (!report) throw new TRPCError({ code: "NOT_FOUND", message: "That journey does not exist." });
    return report;
  }),
  decisionReport: analystProcedure.input(decisionReportInputSchema).query(async ({ ctx, input }) => {
    const report = await getDecisionReport(ctx.db, ctx.workspaceId, input);
    if (!report) throw new TRPCError({ code: "NOT_FOUND", message: "That journey does not exist." });
    return report;
  }),
});
