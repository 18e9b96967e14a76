"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useDeferredValue, useState } from "react";
import { useTRPC } from "@/components/trpc/provider";
import { Card } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TimeAgo } from "@/components/ui/time-ago";

export function CustomerSearch() {
  const trpc = useTRPC();
  const [query, setQuery] = useState("");
  const deferred = useDeferredValue(query);
  const results = useQuery(trpc.customer.search.queryOptions({ query: deferred }, { placeholderData: (prev) => prev }));
  return (
    <Card>
      <div className="border-b border-surface-line px-5 py-3">
        <label htmlFor="customer-search" className="sr-only">Search customers</label>
        <input
          id="customer-search"
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search by user id, email or any trait…"
          className="h-9 w-full rounded-md border border-surface-line px-3 text-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-200 focus:outline-none"
          autoFocus
        />
      </div>
      {results.isPending ? (
        <LoadingRows rows={3} label="Searching customers" />
      ) : results.isError ? (
        <ErrorState message={results.error.message} onRetry={() => void results.refetch()} />
      ) : results.data.length === 0 ? (
        <EmptyState title={deferred ? "No customer matches" : "No customers yet"}>
          {deferred ? "Try a user id or an email address." : "Customers appear when events arrive through the API (/api/v1/track, identify, batch)."}
        </EmptyState>
      ) : (
        <ul className="divide-y divide-surface-line" data-testid="customer-results">
          {results.data.map((c) => (
            <li key={c.customerId}>
              <Link href={`/customers/${encodeURIComponent(c.customerId)}`} className="flex items-center gap-4 px-5 py-3 hover:bg-surface-sunken/60">
                <span className="font-mono text-sm text-ink">{c.customerId}</span>
                <span className="truncate text-sm text-ink-muted">{typeof c.traits.email === "string" ? c.traits.email : ""}</span>
                <span className="ml-auto text-xs text-ink-muted">seen <TimeAgo date={c.lastSeenAt} /></span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
