"use client";

import { useQuery } from "@tanstack/react-query";
import { format } from "date-fns";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { useTRPC } from "@/components/trpc/provider";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { PageHeader } from "@/components/ui/page-header";
import { JourneyEditor, type EditorStatus } from "@/components/journey-canvas/journey-editor";
import { JourneyActions } from "./journey-actions";
import { JourneyChanges } from "./journey-changes";
import { JourneyStatusBadge } from "./journey-status-badge";

export function JourneyOverview({ journeyId, canEdit }: { journeyId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const journey = useQuery(trpc.journey.get.queryOptions({ journeyId }));
  const [status, setStatus] = useState<EditorStatus>({ issues: [], saved: true });
  const onStatus = useCallback((s: EditorStatus) => setStatus(s), []);
  // What publishing would change: refreshed each time the editor finishes saving.
  const changes = useQuery(trpc.journey.draftChanges.queryOptions({ journeyId }, { enabled: journey.isSuccess }));
  const { refetch } = changes;
  useEffect(() => {
    if (status.saved) void refetch();
  }, [status.saved, refetch]);

  if (journey.isPending) return <Card><LoadingRows label="Loading journey" /></Card>;
  if (journey.isError) return <Card><ErrorState message={journey.error.message} code={journey.error.data?.code} back={{ href: "/journeys", label: "← All journeys" }} onRetry={() => void journey.refetch()} /></Card>;
  const j = journey.data;
  const errors = status.issues.filter((i) => i.severity === "error");
  return (
    <>
      <PageHeader
        title={status.name ?? j.name}
        description={j.description || j.slug}
        actions={<JourneyActions journeyId={j.id} slug={j.slug} status={j.status} pauseMode={j.pauseMode} canEdit={canEdit} errorCount={errors.length} unsaved={!status.saved} draft={j.draft} changes={changes.data} />}
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
                <li key={v.version}>
                  <Link href={`/journeys/${j.id}/versions/${v.version}`} className="block px-5 py-2.5 hover:bg-surface-sunken">
                    <span className="font-medium text-ink">
                      v{v.version} {v.version === j.liveVersion ? <Badge tone="green">live</Badge> : null}
                    </span>
                    <span className="block text-xs text-ink-muted">{format(v.publishedAt, "PPp")} · {v.publishedBy ?? "API"} · open read-only</span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card className="self-start">
          <CardHeader
            title={j.liveVersion ? `Draft changes since live v${j.liveVersion}` : "Draft: not published yet"}
            description={j.liveVersion ? "What publishing the saved draft would change." : "Everything in the draft is new."}
          />
          {changes.isPending ? (
            <LoadingRows rows={2} label="Comparing with the live version" />
          ) : changes.isError ? (
            <ErrorState message={changes.error.message} onRetry={() => void changes.refetch()} />
          ) : j.liveVersion ? (
            <JourneyChanges changes={changes.data.changes} empty="No changes: the draft is the live version." testId="draft-changes" />
          ) : (
            <p className="px-5 py-4 text-sm text-ink-muted" data-testid="draft-changes">
              {`${changes.data.changes.filter((c) => c.area === "step").length} steps and ${changes.data.changes.filter((c) => c.area === "connection").length} connections, all new. Publish to make version 1 live.`}
            </p>
          )}
        </Card>
      </div>
    </>
  );
}
