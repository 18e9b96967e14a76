import { createCallerFactory, createTRPCRouter } from "@/server/api/trpc";
import { journeyRouter } from "./routers/journey";
import { workspaceRouter } from "./routers/workspace";

export const appRouter = createTRPCRouter({
  journey: journeyRouter,
  workspace: workspaceRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
