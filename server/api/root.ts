import { createCallerFactory, createTRPCRouter } from "@/server/api/trpc";
import { analyticsRouter } from "./routers/analytics";
import { customerRouter } from "./routers/customer";
import { journeyRouter } from "./routers/journey";
import { messageRouter } from "./routers/message";
import { workspaceRouter } from "./routers/workspace";

export const appRouter = createTRPCRouter({
  analytics: analyticsRouter,
  customer: customerRouter,
  journey: journeyRouter,
  message: messageRouter,
  workspace: workspaceRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
