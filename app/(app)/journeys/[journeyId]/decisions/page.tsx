import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DecisionQuality } from "@/components/analytics/decision-quality";
import { PageHeader } from "@/components/ui/page-header";
import { currentMembership, HydrateClient, prefetch, trpc } from "@/server/api/rsc";

export const metadata: Metadata = { title: "Decision quality" };

export default async function DecisionQualityPage({ params, searchParams }: { params: Promise<{ journeyId: string }>; searchParams: Promise<{ node?: string }> }) {
  const { journeyId } = await params;
  const { node } = await searchParams;
  if (!/^[0-9a-f-]{36}$/i.test(journeyId)) notFound();
  const nodeId = typeof node === "string" && node.length > 0 && node.length <= 100 ? node : undefined;
  await currentMembership();
  await prefetch(trpc.analytics.decisionReport.queryOptions({ journeyId, nodeId }));
  return (
    <HydrateClient>
      <Link href={`/journeys/${journeyId}/analytics`} className="text-sm text-brand-700 hover:underline">← Journey analytics</Link>
      <PageHeader title="Decision quality" description="How each decision node chooses, what each option earns, and what other policies would have earned." />
      <DecisionQuality journeyId={journeyId} nodeId={nodeId} />
    </HydrateClient>
  );
}
