import { z } from "zod";
import { analystProcedure, createTRPCRouter } from "@/server/api/trpc";
import { journeySummarySchema, listJourneys, listJourneysInputSchema } from "@/server/journeys/list-journeys";

export const journeyRouter = createTRPCRouter({
  list: analystProcedure
    .input(listJourneysInputSchema)
    .output(z.array(journeySummarySchema))
    .query(({ ctx, input }) => listJourneys(ctx.db, ctx.workspaceId, input)),
});
