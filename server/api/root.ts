import { createCallerFactory, createTRPCRouter } from "@/server/api/trpc";
import { journeyRouter } from "./routers/journey";
import { messageRouter } from "./routers/message";
import { workspaceRouter } from "./routers/workspace";

export const appRouter = createTRPCRouter({
  journey: journeyRouter,
  message: messageRouter,
  workspace: workspaceRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
