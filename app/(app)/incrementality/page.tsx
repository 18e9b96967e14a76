import type { Metadata } from "next";
import { GlobalControl } from "@/components/analytics/global-control";
import { PageHeader } from "@/components/ui/page-header";
import { HydrateClient, prefetch, trpc } from "@/server/api/rsc";

export const metadata: Metadata = { title: "Incrementality" };

export default async function IncrementalityPage() {
  await prefetch(trpc.analytics.globalControl.queryOptions({}));
  return (
    <HydrateClient>
      <PageHeader title="Incrementality" description="What all journeys add together, measured against the workspace's global control group." />
      <GlobalControl />
    </HydrateClient>
  );
}
