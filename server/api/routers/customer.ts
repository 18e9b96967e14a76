import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { analystProcedure, createTRPCRouter } from "@/server/api/trpc";
import { customerTimelineSchema, getCustomerTimeline, searchCustomers } from "@/server/customers/get-customer-timeline";

export const customerRouter = createTRPCRouter({
  search: analystProcedure
    .input(z.object({ query: z.string().trim().max(200).default("") }))
    .output(z.array(z.object({ customerId: z.string(), traits: z.record(z.string(), z.unknown()), lastSeenAt: z.date() })))
    .query(({ ctx, input }) => searchCustomers(ctx.db, ctx.workspaceId, input.query)),

  timeline: analystProcedure
    .input(z.object({ customerId: z.string().min(1).max(300) }))
    .output(customerTimelineSchema)
    .query(async ({ ctx, input }) => {
      const timeline = await getCustomerTimeline(ctx.db, ctx.workspaceId, input.customerId);
      if (!timeline) throw new TRPCError({ code: "NOT_FOUND", message: `No customer "${input.customerId}" in this workspace.` });
      return timeline;
    }),
});
