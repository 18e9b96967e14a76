import type { Metadata } from "next";
import { OpsDashboard } from "@/components/analytics/ops-dashboard";
import { PageHeader } from "@/components/ui/page-header";
import { HydrateClient, prefetch, trpc } from "@/server/api/rsc";

export const metadata: Metadata = { title: "Operations" };

export default async function OpsPage() {
  await prefetch(trpc.analytics.ops.queryOptions());
  return (
    <HydrateClient>
      <PageHeader title="Operations" description="Ingest rate, queue lag, timers and message delivery of this workspace's runtime." />
      <OpsDashboard />
    </HydrateClient>
  );
}
