import { createCallerFactory, createTRPCRouter } from "@/server/api/trpc";
import { customerRouter } from "./routers/customer";
import { journeyRouter } from "./routers/journey";
import { messageRouter } from "./routers/message";
import { workspaceRouter } from "./routers/workspace";

export const appRouter = createTRPCRouter({
  customer: customerRouter,
  journey: journeyRouter,
  message: messageRouter,
  workspace: workspaceRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
