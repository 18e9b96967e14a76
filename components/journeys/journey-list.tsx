"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/provider";
import { downloadCsv } from "@/components/analytics/csv";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TimeAgo } from "@/components/ui/time-ago";
import { JourneyStatusBadge } from "./journey-status-badge";

const numberFormat = new Intl.NumberFormat("en");

export function JourneyList({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const journeys = useQuery(trpc.journey.list.queryOptions({ includeArchived: false }));

  return (
    <Card>
      {journeys.isPending ? (
        <LoadingRows label="Loading journeys" />
      ) : journeys.isError ? (
        <ErrorState message={journeys.error.message} onRetry={() => void journeys.refetch()} />
      ) : journeys.data.length === 0 ? (
        <EmptyState title="No journeys yet" icon={<span aria-hidden>↯</span>}>
          {canEdit
            ? "Start from a template or a blank canvas: a trigger, a wait, a message."
            : "When marketers create journeys they will appear here."}
        </EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <div className="flex items-center justify-between border-b border-surface-line px-5 py-2 text-xs text-ink-muted">
            <span>{numberFormat.format(journeys.data.length)} {journeys.data.length === 1 ? "journey" : "journeys"}</span>
            <Button
              variant="secondary"
              size="sm"
              onClick={() =>
                downloadCsv(
                  "journeys.csv",
                  journeys.data.map((j) => ({ name: j.name, slug: j.slug, status: j.status, live_version: j.liveVersion ?? "", entrants: j.entrants, updated_at: new Date(j.updatedAt).toISOString() })),
                )
              }
            >
              Export CSV
            </Button>
          </div>
          <table className="min-w-full text-sm" data-testid="journey-table">
            <thead>
              <tr className="border-b border-surface-line text-left text-xs font-medium tracking-wide text-ink-muted uppercase">
                <th scope="col" className="px-5 py-3">Journey</th>
                <th scope="col" className="px-5 py-3">Status</th>
                <th scope="col" className="px-5 py-3">Live version</th>
                <th scope="col" className="px-5 py-3 text-right">Entrants</th>
                <th scope="col" className="px-5 py-3 text-right">Updated</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-surface-line">
              {journeys.data.map((j) => (
                <tr key={j.id} className="hover:bg-surface-sunken/60">
                  <td className="px-5 py-3.5">
                    <Link href={`/journeys/${j.id}`} className="font-medium text-ink hover:text-brand-700 hover:underline">
                      {j.name}
                    </Link>
                    <p className="mt-0.5 max-w-md truncate text-xs text-ink-muted">{j.description || j.slug}</p>
                  </td>
                  <td className="px-5 py-3.5">
                    <JourneyStatusBadge status={j.status} />
                  </td>
                  <td className="px-5 py-3.5 text-ink-soft">{j.liveVersion ? `v${j.liveVersion}` : <span className="text-ink-faint">Not published</span>}</td>
                  <td className="px-5 py-3.5 text-right tabular-nums text-ink-soft">{numberFormat.format(j.entrants)}</td>
                  <td className="px-5 py-3.5 text-right text-ink-muted">
                    <TimeAgo date={j.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
