import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { JourneyAnalytics } from "@/components/analytics/journey-analytics";
import { PageHeader } from "@/components/ui/page-header";
import { currentMembership, HydrateClient, prefetch, trpc } from "@/server/api/rsc";

export const metadata: Metadata = { title: "Journey analytics" };

export default async function JourneyAnalyticsPage({ params }: { params: Promise<{ journeyId: string }> }) {
  const { journeyId } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(journeyId)) notFound();
  await currentMembership();
  await prefetch(trpc.analytics.journeyReport.queryOptions({ journeyId }));
  return (
    <HydrateClient>
      <Link href={`/journeys/${journeyId}`} className="text-sm text-brand-700 hover:underline">← Back to the journey</Link>
      <PageHeader title="Journey analytics" description="Where customers drop off, how many convert, and what the journey adds over its holdout." />
      <JourneyAnalytics journeyId={journeyId} />
    </HydrateClient>
  );
}
