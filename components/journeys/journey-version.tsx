"use client";

import { useQuery } from "@tanstack/react-query";
import { format } from "date-fns";
import { useTRPC } from "@/components/trpc/provider";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { ErrorState, LoadingRows } from "@/components/ui/states";
import { PageHeader } from "@/components/ui/page-header";
import { JourneyEditor } from "@/components/journey-canvas/journey-editor";
import { JourneyChanges } from "./journey-changes";

/** A published version, read-only on the canvas (test mode still runs), with what it changed and how live differs. */
export function JourneyVersionView({ journeyId, version }: { journeyId: string; version: number }) {
  const trpc = useTRPC();
  const v = useQuery(trpc.journey.version.queryOptions({ journeyId, version }));
  if (v.isPending) return <Card><LoadingRows label="Loading version" /></Card>;
  if (v.isError) return <Card><ErrorState message={v.error.message} code={v.error.data?.code} back={{ href: "/journeys", label: "← All journeys" }} onRetry={() => void v.refetch()} /></Card>;
  const d = v.data;
  const isLive = d.liveVersion === version;
  return (
    <>
      <PageHeader title={`${d.name} · v${d.version}`} description={`Published ${format(d.publishedAt, "PPp")} by ${d.publishedBy ?? "the API"}. Published versions never change.`} />
      <div className="mb-4 flex items-center gap-2 text-sm text-ink-muted">
        {isLive ? <Badge tone="green">live</Badge> : <Badge>not live</Badge>}
        <span>{isLive ? "Customers are going through this version." : d.liveVersion ? `Live is v${d.liveVersion}.` : "No version is live."}</span>
      </div>
      <JourneyEditor key={version} journeyId={journeyId} draft={d.document} revision={0} readOnly />
      <div className="mt-6 grid gap-6 xl:grid-cols-2">
        <Card className="self-start">
          <CardHeader title={version > 1 ? `What v${version} changed from v${version - 1}` : "The first version"} />
          {d.sincePrevious ? <JourneyChanges changes={d.sincePrevious} empty={`Published again without changes from v${version - 1}.`} testId="since-previous" /> : <p className="px-5 py-4 text-sm text-ink-muted">Everything was new.</p>}
        </Card>
        <Card className="self-start">
          <CardHeader title={isLive ? "This is the live version" : d.liveVersion ? `What live v${d.liveVersion} changes from this version` : "Nothing is live"} />
          {d.toLive ? <JourneyChanges changes={d.toLive} empty="Live is the same journey." testId="to-live" /> : <p className="px-5 py-4 text-sm text-ink-muted">{isLive ? "See the journey page for changes in the draft." : "Publish a version to make it live."}</p>}
        </Card>
      </div>
    </>
  );
}
