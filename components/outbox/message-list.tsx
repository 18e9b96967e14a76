"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { EffectStatus } from "@/db/schema";
import { useTRPC } from "@/components/trpc/provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TimeAgo } from "@/components/ui/time-ago";
import { statusLook } from "./status-look";


export function MessageList() {
  const trpc = useTRPC();
  const [status, setStatus] = useState<EffectStatus | "">("");
  const pageSize = 50;
  const messages = useInfiniteQuery(
    trpc.message.list.infiniteQueryOptions(
      { status: status || undefined, limit: pageSize },
      { getNextPageParam: (last) => (last.length === pageSize ? last[last.length - 1]!.id : undefined), refetchInterval: 5_000 },
    ),
  );
  const rows = messages.data?.pages.flat() ?? [];

  return (
    <Card>
      <div className="flex items-center gap-3 border-b border-surface-line px-5 py-3">
        <label htmlFor="status-filter" className="text-sm text-ink-muted">Status</label>
        <select id="status-filter" value={status} onChange={(e) => setStatus(e.target.value as EffectStatus | "")} className="h-8 rounded-md border border-surface-line bg-white px-2 text-sm">
          <option value="">All</option>
          {(Object.keys(statusLook) as EffectStatus[]).map((s) => (
            <option key={s} value={s}>{statusLook[s].label}</option>
          ))}
        </select>
        <span className="ml-auto text-xs text-ink-faint">Refreshes every 5 s</span>
      </div>
      {messages.isPending ? (
        <LoadingRows label="Loading messages" />
      ) : messages.isError ? (
        <ErrorState message={messages.error.message} onRetry={() => void messages.refetch()} />
      ) : rows.length === 0 ? (
        status ? (
        <EmptyState title={`No messages ${statusLook[status].label.toLowerCase()}`}>None of the messages has this status now. Choose All to see every message.</EmptyState>
      ) : (
        <EmptyState title="No messages yet">Messages that journeys send appear here. Channels without settings stay in the sandbox: nothing leaves.</EmptyState>
      )
      ) : (
        <>
          <ul className="divide-y divide-surface-line" data-testid="message-list">
            {rows.map((m) => (
              <li key={m.id} className="grid gap-1 px-5 py-3 sm:grid-cols-[1fr_auto]">
                <div className="min-w-0">
                  <p className="flex flex-wrap items-center gap-2 text-sm">
                    <Badge tone="blue">{m.channel}</Badge>
                    <span className="font-medium text-ink">{m.subject ?? m.body.slice(0, 80)}</span>
                  </p>
                  {m.subject ? <p className="mt-1 truncate text-sm text-ink-muted">{m.body}</p> : null}
                  <p className="mt-1 text-xs text-ink-faint">
                    to <span className="font-mono text-ink-muted">{m.customerId}</span> · {m.journeyId} / {m.nodeId}
                    {m.lastResult ? <> · {m.lastResult}</> : null}
                  </p>
                </div>
                <div className="flex items-start gap-3 sm:flex-col sm:items-end">
                  <Badge tone={statusLook[m.status].tone}>{statusLook[m.status].label}{m.attempts > 1 ? ` · ${m.attempts} tries` : ""}</Badge>
                  <span className="text-xs text-ink-muted"><TimeAgo date={m.createdAt} /></span>
                </div>
              </li>
            ))}
          </ul>
          {messages.hasNextPage ? (
            <div className="border-t border-surface-line px-5 py-3 text-center">
              <Button variant="secondary" disabled={messages.isFetchingNextPage} onClick={() => void messages.fetchNextPage()}>
                {messages.isFetchingNextPage ? "Loading…" : "Load older messages"}
              </Button>
            </div>
          ) : null}
        </>
      )}
    </Card>
  );
}
