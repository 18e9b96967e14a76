"use client";

import { useQuery } from "@tanstack/react-query";
import { format } from "date-fns";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/provider";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { statusLook } from "@/components/outbox/status-look";
import type { CustomerTimeline } from "@/server/customers/get-customer-timeline";
import { describeReason, stepLabels } from "./step-reasons";

export function CustomerTimeline({ customerId }: { customerId: string }) {
  const trpc = useTRPC();
  const timeline = useQuery(trpc.customer.timeline.queryOptions({ customerId }, { refetchInterval: 5_000 }));
  if (timeline.isPending) return <Card><LoadingRows label="Loading customer" /></Card>;
  if (timeline.isError) return <Card><ErrorState message={timeline.error.message} code={timeline.error.data?.code} back={{ href: "/customers", label: "← Search customers" }} onRetry={() => void timeline.refetch()} /></Card>;
  const t = timeline.data;
  // A queued message's step says what became of it (the step log is written when it is queued, the outbox after).
  const statusByKey = new Map(t.messages.map((m) => [m.key, m.status]));
  // Journeys by name, not slug (a slug no longer in the workspace, as a deleted journey's, stays as it is).
  const nameOf = (slug: string) => t.journeyNames[slug]?.name ?? slug;
  const labelOf = (s: (typeof t.steps)[number]) => {
    const status = s.type === "message" && typeof s.detail.key === "string" ? statusByKey.get(s.detail.key) : undefined;
    return status ? `Message ${statusLook[status].label.toLowerCase()}` : (stepLabels[s.type] ?? s.type);
  };
  return (
    <div className="grid gap-6 lg:grid-cols-[320px_1fr]">
      <div className="space-y-6">
        <Card>
          <CardHeader title="Profile" description={t.unsubscribed ? "Unsubscribed: gets no messages" : `Time zone: ${t.timezone ?? "UTC (none given)"}`} />
          <dl className="divide-y divide-surface-line text-sm">
            {Object.entries(t.traits).length === 0 ? <p className="px-5 py-3 text-ink-muted">No traits yet.</p> : null}
            {Object.entries(t.traits).map(([k, v]) => (
              <div key={k} className="flex gap-3 px-5 py-2">
                <dt className="w-28 shrink-0 truncate text-ink-muted">{k}</dt>
                <dd className="min-w-0 truncate font-mono text-ink">{typeof v === "string" ? v : JSON.stringify(v)}</dd>
              </div>
            ))}
          </dl>
        </Card>
        <ScoresCard scores={t.scores} scoredAt={t.scoredAt} />
        <Card>
          <CardHeader title="Journeys" />
          {t.journeys.length === 0 ? (
            <EmptyState title="In no journey" />
          ) : (
            <ul className="divide-y divide-surface-line text-sm" data-testid="customer-journeys">
              {t.journeys.map((j) => (
                <li key={j.journeyId} className="px-5 py-3">
                  <p className="flex items-center justify-between gap-2">
                    {t.journeyNames[j.journeyId] ? (
                      <Link href={`/journeys/${t.journeyNames[j.journeyId]!.id}`} className="font-medium text-brand-700 hover:underline">{t.journeyNames[j.journeyId]!.name}</Link>
                    ) : (
                      <span className="font-medium text-ink">{j.journeyId}</span>
                    )}
                    <Badge tone={j.status === "active" ? "green" : "gray"}>{j.status === "active" ? "In journey" : "Exited"}</Badge>
                  </p>
                  <p className="mt-1 text-xs text-ink-muted">
                    {j.status === "active" ? `At ${j.currentNode ?? "entry"}` : `Left: ${j.exitReason ?? "—"}`} · entered {format(j.enteredAt, "PPp")}
                  </p>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
      <div className="min-w-0 space-y-6">
        <Card>
          <CardHeader title="Timeline" description="Every step with its reason, oldest first." />
          {t.steps.length === 0 ? (
            <EmptyState title="Nothing has happened yet">Steps appear when a published journey handles this customer's events.</EmptyState>
          ) : (
            <ol className="relative space-y-0 px-5 py-4" data-testid="customer-steps">
              {t.steps.map((s, i) => {
                const reason = describeReason(s.detail);
                const notSent = ["suppressed", "blocked", "held", "refused"].includes(s.type);
                return (
                  <li key={i} className="relative border-l border-surface-line pb-4 pl-5 last:pb-0">
                    <span className={`absolute top-1 -left-1.5 h-3 w-3 rounded-full ring-2 ring-white ${s.type === "failed" ? "bg-red-600" : notSent ? "bg-amber-500" : s.type === "exit" ? "bg-slate-400" : "bg-brand-500"}`} />
                    <p className="text-sm text-ink">
                      <span className="font-medium">{labelOf(s)}</span>
                      {s.nodeId ? <span className="text-ink-muted"> · {s.nodeId}</span> : null}
                      {reason ? <span className="text-ink-muted"> · because of {reason}</span> : null}
                    </p>
                    <p className="text-xs text-ink-faint">{format(s.at, "PPpp")}{s.journeyId ? ` · ${nameOf(s.journeyId)}` : ""}{s.version ? ` v${s.version}` : ""}</p>
                  </li>
                );
              })}
            </ol>
          )}
        </Card>
        <MessagesCard messages={t.messages} nameOf={nameOf} />
      </div>
    </div>
  );
}

/** The customer's messages, newest first, with their delivery status and, for those not delivered, the last answer. */
function MessagesCard({ messages, nameOf }: { messages: CustomerTimeline["messages"]; nameOf: (slug: string) => string }) {
  return (
    <Card>
      <CardHeader title="Messages" description="What journeys queued for this customer, newest first, and what became of each. Messages not sent at all (capped, quiet hours, suppressed, unsubscribed, holdout) are in the timeline, with why." />
      {messages.length === 0 ? (
        <EmptyState title="No messages yet" />
      ) : (
        <ul className="divide-y divide-surface-line" data-testid="customer-messages">
          {messages.map((m) => (
            <li key={m.key} className="grid gap-1 px-5 py-3 text-sm sm:grid-cols-[1fr_auto]">
              <p className="min-w-0">
                <Badge tone="blue">{m.channel}</Badge> <span className="text-ink">{nameOf(m.journeyId)}</span>
                <span className="text-ink-muted"> · {m.nodeId}</span>
                {m.status !== "sent" && m.lastResult ? <span className="block truncate text-xs text-ink-muted" title={m.lastResult}>{m.lastResult}</span> : null}
              </p>
              <p className="flex items-center gap-2 text-xs text-ink-faint sm:justify-end">
                {format(m.sentAt ?? m.createdAt, "PPp")}
                <Badge tone={statusLook[m.status].tone}>{statusLook[m.status].label}</Badge>
              </p>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

/** Predictive scores as bars (0–1), with a hint of what they mean. */
function ScoresCard({ scores, scoredAt }: { scores: Record<string, number>; scoredAt: Date | null }) {
  const entries = Object.entries(scores).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Card>
      <CardHeader title="Predictive scores" description={scoredAt ? `As of ${format(scoredAt, "PPp")}; updated on each event and daily while silent.` : undefined} />
      {entries.length === 0 ? (
        <p className="px-5 py-3 text-sm text-ink-muted">No scores yet: they start with the customer&apos;s first tracked event.</p>
      ) : (
        <ul className="space-y-2 px-5 py-3 text-sm" data-testid="customer-scores">
          {entries.map(([name, value]) => (
            <li key={name} className="grid grid-cols-[8.5rem_1fr_3rem] items-center gap-2">
              <span className="truncate font-mono text-xs text-ink-soft">{name}</span>
              <span className="h-2.5 rounded-full bg-surface-sunken" role="meter" aria-label={name} aria-valuemin={0} aria-valuemax={1} aria-valuenow={value}>
                <span className="block h-full rounded-full bg-brand-500" style={{ width: `${Math.round(value * 100)}%` }} />
              </span>
              <span className="text-right font-mono text-xs tabular-nums text-ink">{value.toFixed(2)}</span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
