import "server-only";
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { createTRPCOptionsProxy, type TRPCQueryOptions } from "@trpc/tanstack-react-query";
import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { makeQueryClient } from "@/components/trpc/query-client";
import { appRouter } from "./root";
import { createTRPCContext } from "./trpc";

/**
 * Server-side hydration helpers: a page prefetches the queries its client
 * components will use, and wraps them in <HydrateClient> so they render at once.
 */
export const getQueryClient = cache(makeQueryClient);

const createContext = cache(async () => createTRPCContext({ headers: new Headers(await headers()) }));

export const trpc = createTRPCOptionsProxy({ ctx: createContext, router: appRouter, queryClient: getQueryClient });

export function HydrateClient({ children }: { children: React.ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function prefetch<T extends ReturnType<TRPCQueryOptions<any>>>(queryOptions: T): Promise<void> {
  await getQueryClient().prefetchQuery(queryOptions);
}

/** The caller's workspace and role for a server page; signed-out callers go to sign-in instead of an error. */
export async function currentMembership() {
  try {
    return await getQueryClient().fetchQuery(trpc.workspace.current.queryOptions());
  } catch (err) {
    if (err instanceof TRPCError && err.code === "UNAUTHORIZED") redirect("/sign-in");
    throw err;
  }
}
