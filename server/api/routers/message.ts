import { z } from "zod";
import { analystProcedure, createTRPCRouter } from "@/server/api/trpc";
import { listMessages, listMessagesInputSchema, messageRowSchema } from "@/server/messages/list-messages";

export const messageRouter = createTRPCRouter({
  list: analystProcedure
    .input(listMessagesInputSchema)
    .output(z.array(messageRowSchema))
    .query(({ ctx, input }) => listMessages(ctx.db, ctx.workspaceId, input)),
});
