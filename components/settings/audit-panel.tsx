"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/provider";
import { Card, CardHeader } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TimeAgo } from "@/components/ui/time-ago";

export function AuditPanel() {
  const trpc = useTRPC();
  const log = useQuery(trpc.workspace.auditLog.queryOptions());
  return (
    <Card>
      <CardHeader title="Audit log" description="Who changed what in this workspace, newest first." />
      {log.isPending ? (
        <LoadingRows rows={3} label="Loading audit log" />
      ) : log.isError ? (
        <ErrorState message={log.error.message} onRetry={() => void log.refetch()} />
      ) : log.data.length === 0 ? (
        <EmptyState title="Nothing recorded yet" />
      ) : (
        <ul className="divide-y divide-surface-line text-sm">
          {log.data.map((e) => (
            <li key={e.id} className="flex flex-wrap items-baseline gap-x-3 px-5 py-2.5">
              <span className="font-mono text-xs text-brand-700">{e.action}</span>
              <span className="min-w-0 text-ink [overflow-wrap:anywhere]">{e.target}</span>
              {e.detail ? <span className="min-w-0 text-ink-muted [overflow-wrap:anywhere]">{e.detail}</span> : null}
              <span className="ml-auto text-xs text-ink-muted">
                {e.actor ?? "system"} · <TimeAgo date={e.at} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
