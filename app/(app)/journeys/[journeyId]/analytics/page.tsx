import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { JourneyAnalytics } from "@/components/analytics/journey-analytics";
import { PageHeader } from "@/components/ui/page-header";
import { TRPCError } from "@trpc/server";
import { currentMembership, getQueryClient, HydrateClient, trpc } from "@/server/api/rsc";

export const metadata: Metadata = { title: "Journey analytics" };

export default async function JourneyAnalyticsPage({ params }: { params: Promise<{ journeyId: string }> }) {
  const { journeyId } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(journeyId)) notFound();
  await currentMembership();
  // Fetched here, not only prefetched: the title names the journey, and a journey that does not exist is a 404.
  const report = await getQueryClient()
    .fetchQuery(trpc.analytics.journeyReport.queryOptions({ journeyId }))
    .catch((err: unknown) => {
      if (err instanceof TRPCError && err.code === "NOT_FOUND") notFound();
      throw err;
    });
  return (
    <HydrateClient>
      <Link href={`/journeys/${journeyId}`} className="text-sm text-brand-700 hover:underline">← Back to the journey</Link>
      <PageHeader title={`${report.name}: analytics`} description="Where customers drop off, how many convert, and what the journey adds over its holdout." />
      <JourneyAnalytics journeyId={journeyId} />
    </HydrateClient>
  );
}
