import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { JourneyVersionView } from "@/components/journeys/journey-version";
import { currentMembership, HydrateClient, prefetch, trpc } from "@/server/api/rsc";

export const metadata: Metadata = { title: "Journey version" };

export default async function JourneyVersionPage({ params }: { params: Promise<{ journeyId: string; version: string }> }) {
  const { journeyId, version: raw } = await params;
  const version = Number(raw);
  if (!/^[0-9a-f-]{36}$/i.test(journeyId) || !Number.isSafeInteger(version) || version < 1) notFound();
  await currentMembership();
  await prefetch(trpc.journey.version.queryOptions({ journeyId, version }));
  return (
    <HydrateClient>
      <Link href={`/journeys/${journeyId}`} className="text-sm text-brand-700 hover:underline">← Journey</Link>
      <JourneyVersionView journeyId={journeyId} version={version} />
    </HydrateClient>
  );
}
