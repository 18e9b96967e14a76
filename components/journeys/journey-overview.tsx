"use client";

import { useQuery } from "@tanstack/react-query";
import { format } from "date-fns";
import { useMemo } from "react";
import { useTRPC } from "@/components/trpc/provider";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { PageHeader } from "@/components/ui/page-header";
import { nodeKinds, validateJourney, type NodeKind } from "@/server/journey";
import { JourneyActions } from "./journey-actions";
import { JourneyStatusBadge } from "./journey-status-badge";

type DraftNode = { id: string; kind: string; config?: unknown };

function describeNode(node: DraftNode): { label: string; summary: string } {
  const entry = (nodeKinds as Record<string, { label: string; summary: (config: never) => string } | undefined>)[node.kind as NodeKind];
  if (!entry) return { label: node.kind, summary: "" };
  try {
    return { label: entry.label, summary: entry.summary((node.config ?? {}) as never) };
  } catch {
    return { label: entry.label, summary: "" };
  }
}

export function JourneyOverview({ journeyId, canEdit }: { journeyId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const journey = useQuery(trpc.journey.get.queryOptions({ journeyId }));
  const issues = useMemo(() => (journey.data ? validateJourney(journey.data.draft) : []), [journey.data]);

  if (journey.isPending) return <Card><LoadingRows label="Loading journey" /></Card>;
  if (journey.isError) return <Card><ErrorState message={journey.error.message} onRetry={() => void journey.refetch()} /></Card>;
  const j = journey.data;
  const nodes = (Array.isArray(j.draft.nodes) ? j.draft.nodes : []) as DraftNode[];
  const errors = issues.filter((i) => i.severity === "error");

  return (
    <>
      <PageHeader
        title={j.name}
        description={j.description || j.slug}
        actions={<JourneyActions journeyId={j.id} slug={j.slug} status={j.status} canEdit={canEdit} errorCount={errors.length} draft={j.draft} />}
      />
      <div className="mb-6 flex flex-wrap items-center gap-3 text-sm text-ink-muted">
        <JourneyStatusBadge status={j.status} />
        <span>{j.liveVersion ? `Live version v${j.liveVersion}` : "Never published"}</span>
        <span>· draft saved {format(j.updatedAt, "PPp")}</span>
      </div>
      <div className="grid gap-6 xl:grid-cols-[1fr_360px]">
        <div className="space-y-6">
          <Card>
            <CardHeader title="Problems" description={issues.length === 0 ? "The draft is valid and can be published." : `${errors.length} error(s), ${issues.length - errors.length} warning(s)`} />
            {issues.length === 0 ? (
              <p className="px-5 py-4 text-sm text-emerald-700">No problems found.</p>
            ) : (
              <ul className="divide-y divide-surface-line" data-testid="journey-issues">
                {issues.map((issue, i) => (
                  <li key={i} className="flex items-start gap-3 px-5 py-2.5 text-sm">
                    <Badge tone={issue.severity === "error" ? "red" : "amber"}>{issue.severity}</Badge>
                    <span className="text-ink">{issue.message}</span>
                    {issue.nodeId ? <span className="ml-auto font-mono text-xs text-ink-muted">{issue.nodeId}</span> : null}
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card>
            <CardHeader title="Steps" description={`${nodes.length} node(s) in the draft`} />
            {nodes.length === 0 ? (
              <EmptyState title="An empty canvas">Add a trigger, a wait and a message to get going.</EmptyState>
            ) : (
              <ul className="divide-y divide-surface-line" data-testid="journey-nodes">
                {nodes.map((n) => {
                  const d = describeNode(n);
                  return (
                    <li key={n.id} className="flex items-center gap-3 px-5 py-2.5 text-sm">
                      <span className="w-32 shrink-0 text-xs font-medium tracking-wide text-ink-muted uppercase">{d.label}</span>
                      <span className="text-ink">{d.summary}</span>
                      <span className="ml-auto font-mono text-xs text-ink-faint">{n.id}</span>
                    </li>
                  );
                })}
              </ul>
            )}
          </Card>
        </div>
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
