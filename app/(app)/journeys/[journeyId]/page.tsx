import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { JourneyOverview } from "@/components/journeys/journey-overview";
import { currentMembership, HydrateClient, prefetch, trpc } from "@/server/api/rsc";
import { roleAllows } from "@/server/workspaces/roles";

export const metadata: Metadata = { title: "Journey" };

export default async function JourneyPage({ params }: { params: Promise<{ journeyId: string }> }) {
  const { journeyId } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(journeyId)) notFound();
  const current = await currentMembership();
  await prefetch(trpc.journey.get.queryOptions({ journeyId }));
  return (
    <HydrateClient>
      <Link href="/journeys" className="text-sm text-brand-700 hover:underline">← Journeys</Link>
      <JourneyOverview journeyId={journeyId} canEdit={roleAllows(current.role, "marketer")} />
    </HydrateClient>
  );
}
