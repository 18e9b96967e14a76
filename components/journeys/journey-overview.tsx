"use client";

import { useQuery } from "@tanstack/react-query";
import { format } from "date-fns";
import { useCallback, useState } from "react";
import { useTRPC } from "@/components/trpc/provider";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { PageHeader } from "@/components/ui/page-header";
import { JourneyEditor } from "@/components/journey-canvas/journey-editor";
import type { Issue } from "@/server/journey";
import { JourneyActions } from "./journey-actions";
import { JourneyStatusBadge } from "./journey-status-badge";

export function JourneyOverview({ journeyId, canEdit }: { journeyId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const journey = useQuery(trpc.journey.get.queryOptions({ journeyId }));
  const [status, setStatus] = useState<{ issues: Issue[]; saved: boolean }>({ issues: [], saved: true });
  const onStatus = useCallback((s: { issues: Issue[]; saved: boolean }) => setStatus(s), []);

  if (journey.isPending) return <Card><LoadingRows label="Loading journey" /></Card>;
  if (journey.isError) return <Card><ErrorState message={journey.error.message} onRetry={() => void journey.refetch()} /></Card>;
  const j = journey.data;
  const errors = status.issues.filter((i) => i.severity === "error");
  return (
    <>
      <PageHeader
        title={j.name}
        description={j.description || j.slug}
        actions={<JourneyActions journeyId={j.id} slug={j.slug} status={j.status} canEdit={canEdit} errorCount={errors.length} unsaved={!status.saved} draft={j.draft} />}
      />
      <div className="mb-6 flex flex-wrap items-center gap-3 text-sm text-ink-muted">
        <JourneyStatusBadge status={j.status} />
        <span>{j.liveVersion ? `Live version v${j.liveVersion}` : "Never published"}</span>
        <span>· draft saved {format(j.updatedAt, "PPp")}</span>
      </div>
      <JourneyEditor journeyId={j.id} draft={j.draft} revision={j.draftRevision} readOnly={!canEdit || j.status === "archived"} onStatus={onStatus} />
      <div className="mt-6 grid gap-6 xl:grid-cols-2">
        <Card className="self-start">
          <CardHeader title="Versions" description="Published versions never change." />
          {j.versions.length === 0 ? (
            <EmptyState title="Not published yet" />
          ) : (
            <ul className="divide-y divide-surface-line text-sm" data-testid="journey-versions">
              {j.versions.map((v) => (
                <li key={v.version} className="px-5 py-2.5">
                  <p className="font-medium text-ink">
                    v{v.version} {v.version === j.liveVersion ? <Badge tone="green">live</Badge> : null}
                  </p>
                  <p className="text-xs text-ink-muted">{format(v.publishedAt, "PPp")} · {v.publishedBy ?? "API"}</p>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
