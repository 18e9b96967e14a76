"use client";

import { useQuery } from "@tanstack/react-query";
import { format, formatDistanceStrict } from "date-fns";
import { useTRPC } from "@/components/trpc/provider";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { downloadCsv } from "./csv";
import { TimeBars } from "./charts";

const refreshMs = 5_000;

function duration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1_000) return `${ms} ms`;
  return formatDistanceStrict(0, ms);
}

/** The runtime at a glance: refreshes by itself every few seconds. */
export function OpsDashboard() {
  const trpc = useTRPC();
  const ops = useQuery(trpc.analytics.ops.queryOptions(undefined, { refetchInterval: refreshMs }));
  if (ops.isPending) return <Card><LoadingRows label="Loading the runtime's figures" /></Card>;
  if (ops.isError) return <Card><ErrorState message={ops.error.message} onRetry={() => void ops.refetch()} /></Card>;
  const r = ops.data;
  const lagWarn = (r.queue.oldestAgeMs ?? 0) > 60_000;
  const timerWarn = (r.timers.oldestOverdueMs ?? 0) > 60_000;
  return (
    <div className="space-y-6">
      <p className="text-xs text-ink-muted" role="status" aria-live="polite">
        Updated {format(r.at, "HH:mm:ss")} · refreshes every {refreshMs / 1000} s{ops.isFetching ? " · refreshing…" : ""}
      </p>
      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <Tile label="Events ingested" value={r.ingest.lastHour.toLocaleString("en")} detail={`last hour · ${r.ingest.lastMinute.toLocaleString("en")} in the last full minute`} />
        <Tile
          label="Queue lag"
          value={r.queue.unprocessed === 0 ? "none" : duration(r.queue.oldestAgeMs)}
          detail={r.queue.unprocessed === 0 ? "every event processed" : `${r.queue.unprocessed.toLocaleString("en")} events waiting; age of the oldest`}
          tone={lagWarn ? "warn" : "ok"}
        />
        <Tile
          label="Timers"
          value={`${r.timers.overdue.toLocaleString("en")} due now`}
          detail={`${r.timers.nextHour.toLocaleString("en")} within the hour · ${r.timers.pending.toLocaleString("en")} pending${r.timers.oldestOverdueMs ? ` · oldest due ${duration(r.timers.oldestOverdueMs)} ago` : ""}`}
          tone={timerWarn ? "warn" : "ok"}
        />
        <Tile
          label="Dispatch (24 h)"
          value={`${r.dispatch.sent24h.toLocaleString("en")} sent`}
          detail={`${r.dispatch.pending} queued · ${r.dispatch.retrying} retrying · ${r.dispatch.retries24h} retries · ${r.dispatch.dead24h} dead`}
          tone={r.dispatch.dead24h > 0 ? "bad" : r.dispatch.retrying > 0 ? "warn" : "ok"}
        />
      </div>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader title="Events per minute" description="Accepted by the API, last hour." />
          <MinuteBars label="Events per minute" points={r.ingest.perMinute.map((p) => ({ minute: p.minute, value: p.events }))} at={r.at} color="#2545eb" />
        </Card>
        <Card>
          <CardHeader title="Messages sent per minute" description="Delivered by every channel, last hour." />
          <MinuteBars label="Messages per minute" points={r.dispatch.perMinute.map((p) => ({ minute: p.minute, value: p.sent }))} at={r.at} color="#059669" />
        </Card>
      </div>

      <div className="grid gap-6 lg:grid-cols-[2fr_3fr]">
        <Card>
          <CardHeader
            title="Sends per channel"
            description="Messages created in the last 24 hours, by outcome."
            action={r.channels.length ? <Button variant="secondary" size="sm" onClick={() => downloadCsv("sends-per-channel.csv", r.channels)}>Export CSV</Button> : null}
          />
          {r.channels.length === 0 ? (
            <EmptyState title="No messages in the last 24 hours" />
          ) : (
            <table className="w-full text-sm" data-testid="ops-channels">
              <thead className="text-left text-xs text-ink-muted">
                <tr><th className="px-5 py-2 font-medium">Channel</th><th className="px-2 py-2 text-right font-medium">Sent</th><th className="px-2 py-2 text-right font-medium">Retrying</th><th className="px-2 py-2 text-right font-medium">Dead</th><th className="px-5 py-2 text-right font-medium">Skipped</th></tr>
              </thead>
              <tbody className="divide-y divide-surface-line">
                {r.channels.map((c) => (
                  <tr key={c.channel}>
                    <td className="px-5 py-2 font-medium text-ink">{c.channel}</td>
                    <td className="px-2 py-2 text-right tabular-nums">{c.sent.toLocaleString("en")}</td>
                    <td className="px-2 py-2 text-right tabular-nums">{c.retrying.toLocaleString("en")}</td>
                    <td className={`px-2 py-2 text-right tabular-nums ${c.dead ? "font-semibold text-red-700" : ""}`}>{c.dead.toLocaleString("en")}</td>
                    <td className="px-5 py-2 text-right tabular-nums">{c.skipped.toLocaleString("en")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        <Card>
          <CardHeader
            title="Delivery errors"
            description="Messages retrying or given up (dead letter) in the last 24 hours, newest first."
            action={r.errors.length ? <Button variant="secondary" size="sm" onClick={() => downloadCsv("delivery-errors.csv", r.errors.map((e) => ({ ...e, at: e.at.toISOString() })))}>Export CSV</Button> : null}
          />
          {r.errors.length === 0 ? (
            <EmptyState title="No delivery errors">Every message in the last 24 hours went out, or is on its way.</EmptyState>
          ) : (
            <ul className="divide-y divide-surface-line text-sm" data-testid="ops-errors">
              {r.errors.map((e, i) => (
                <li key={i} className="px-5 py-2.5">
                  <p className="flex flex-wrap items-center gap-2">
                    <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${e.status === "dead" ? "bg-red-50 text-red-700" : "bg-amber-50 text-amber-800"}`}>{e.status === "dead" ? "dead letter" : "retrying"}</span>
                    <span className="font-medium text-ink">{e.channel}</span>
                    <span className="text-ink-muted">{e.journeyId} · {e.nodeId} · {e.customerId}</span>
                    <span className="ml-auto text-xs text-ink-muted">{e.attempts} attempt{e.attempts === 1 ? "" : "s"} · {format(e.at, "PPp")}</span>
                  </p>
                  {e.lastResult ? <p className="mt-1 truncate font-mono text-xs text-ink-soft" title={e.lastResult}>{e.lastResult}</p> : null}
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </div>
  );
}

function Tile({ label, value, detail, tone = "ok" }: { label: string; value: string; detail: string; tone?: "ok" | "warn" | "bad" }) {
  const ring = tone === "bad" ? "ring-red-200" : tone === "warn" ? "ring-amber-200" : "ring-transparent";
  return (
    <section aria-label={label} className={`rounded-xl border border-surface-line bg-white px-5 py-4 shadow-card ring-2 ${ring}`}>
      <h2 className="text-xs font-medium tracking-wide text-ink-muted uppercase">{label}</h2>
      <p className="mt-1 text-2xl font-semibold text-ink tabular-nums">{value}</p>
      <p className="mt-1 text-xs text-ink-muted">{detail}</p>
    </section>
  );
}

/** Sixty one-minute bars ending now. */
function MinuteBars({ label, points, at, color }: { label: string; points: { minute: Date; value: number }[]; at: Date; color: string }) {
  const end = Math.floor(at.getTime() / 60_000);
  const byMinute = new Map(points.map((p) => [Math.floor(p.minute.getTime() / 60_000), p.value]));
  const data = Array.from({ length: 60 }, (_, i) => ({ minute: format(new Date((end - 59 + i) * 60_000), "HH:mm"), value: byMinute.get(end - 59 + i) ?? 0 }));
  const max = Math.max(...data.map((d) => d.value));
  const total = data.reduce((a, d) => a + d.value, 0);
  if (total === 0) return <EmptyState title="Nothing in the last hour" />;
  return (
    <div className="px-3 py-4">
      <TimeBars label={`${label}: ${total.toLocaleString("en")} in the last hour, at most ${max.toLocaleString("en")} in a minute`} data={data} xKey="minute" series={[{ key: "value", label, color }]} height={150} />
    </div>
  );
}
