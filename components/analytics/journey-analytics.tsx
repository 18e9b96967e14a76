"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useDateRange } from "./date-range";
import { DateRangeFields } from "./date-range-fields";
import { stepNames } from "@/components/journeys/step-names";
import { useTRPC } from "@/components/trpc/provider";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TimeBars } from "./charts";
import { downloadCsv } from "./csv";

const pct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? "—" : `${(x * 100).toFixed(digits)}%`);
const pp = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)} pp`;
const num = new Intl.NumberFormat("en");

function Kpi({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="rounded-xl border border-surface-line bg-white p-4 shadow-card" data-testid={`kpi-${label.toLowerCase().replace(/ /g, "-")}`}>
      <p className="text-xs font-medium tracking-wide text-ink-muted uppercase">{label}</p>
      <p className="mt-1 text-2xl font-semibold text-ink tabular-nums">{value}</p>
      {hint ? <p className="mt-0.5 text-xs text-ink-muted">{hint}</p> : null}
    </div>
  );
}

/** Funnel, conversion and incrementality of one journey, from the runtime's counters. */
export function JourneyAnalytics({ journeyId }: { journeyId: string }) {
  const trpc = useTRPC();
  const dates = useDateRange();
  const [version, setVersion] = useState("");
  const range = { journeyId, ...dates.applied, version: version ? Number(version) : undefined };
  const report = useQuery(trpc.analytics.journeyReport.queryOptions(range, { refetchInterval: 10_000, placeholderData: (p) => p }));
  const timing = useQuery(trpc.analytics.journeyTiming.queryOptions(range, { refetchInterval: 30_000, placeholderData: (p) => p }));
  if (report.isPending) return <Card><LoadingRows label="Loading analytics" /></Card>;
  if (report.isError) return <Card><ErrorState message={report.error.message} onRetry={() => void report.refetch()} /></Card>;
  const r = report.data;
  const entered = r.entered.treatment ?? 0;
  const converted = r.goals.treatment ?? 0;
  const maxPassed = Math.max(1, ...r.funnel.map((f) => f.passed));
  // Paths by step name (their ids in the tooltip and the CSV).
  const names = stepNames(r.funnel.map((f) => ({ id: f.nodeId, name: f.label })));
  const lift = r.lift;

  return (
    <div className="space-y-6">
      <DateRangeFields range={dates}>
        <label className="text-sm text-ink-soft">
          Version
          <select aria-label="Version" value={version} onChange={(e) => setVersion(e.target.value)} className="mt-1 block h-9 rounded-md border border-surface-line px-2 text-sm">
            <option value="">All</option>
            {r.versions.map((v) => <option key={v} value={v}>v{v}</option>)}
          </select>
        </label>
      </DateRangeFields>
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4" data-testid="kpis">
        <Kpi label="Entered" value={num.format(entered + (r.entered.holdout ?? 0))} hint={`${num.format(entered)} treatment · ${num.format(r.entered.holdout ?? 0)} holdout`} />
        <Kpi label="Converted" value={num.format(converted)} hint={`${pct(entered ? converted / entered : null)} of treatment`} />
        <Kpi label="Messages sent" value={num.format(Object.values(r.messages).reduce((a, b) => a + b, 0))} hint={Object.entries(r.messages).map(([c, n]) => `${c} ${n}`).join(" · ") || "none yet"} />
        <Kpi label="Not sent" value={num.format(r.notSent.blocked + r.notSent.suppressed)} hint={`${r.notSent.blocked} blocked · ${r.notSent.suppressed} suppressed · ${r.notSent.held} held`} />
      </div>

      <Card>
        <CardHeader title="Incrementality" description="Treatment against the journey's holdout: what the journey adds over doing nothing." />
        {!lift ? (
          <EmptyState title="No holdout comparison yet">
            {(r.entered.holdout ?? 0) > 0
              ? "Lift appears once the treatment group has entrants in this period too."
              : "Nobody in this period is in the holdout group. Lift appears once both groups have entrants; if the journey has no holdout group, set one in its settings (Holdout group %)."}
          </EmptyState>
        ) : (
          <div className="grid gap-6 p-5 md:grid-cols-2" data-testid="lift">
            <div>
              <p className="text-sm text-ink-muted">Absolute lift (95% CI)</p>
              <p className="text-2xl font-semibold text-ink">{pp(lift.absolute.estimate)}</p>
              <p className="text-sm text-ink-muted">{pp(lift.absolute.low)} to {pp(lift.absolute.high)}</p>
              <IntervalBar low={lift.absolute.low} high={lift.absolute.high} estimate={lift.absolute.estimate} />
            </div>
            <dl className="grid grid-cols-2 gap-x-4 gap-y-2 text-sm">
              <dt className="text-ink-muted">Treatment</dt><dd className="tabular-nums">{pct(lift.treatment.rate)} of {num.format(lift.treatment.entered)}</dd>
              <dt className="text-ink-muted">Holdout</dt><dd className="tabular-nums">{pct(lift.control.rate)} of {num.format(lift.control.entered)}</dd>
              <dt className="text-ink-muted">Relative lift</dt><dd className="tabular-nums">{lift.relative ? `${pct(lift.relative.estimate)} (${pct(lift.relative.low)} to ${pct(lift.relative.high)})` : "—"}</dd>
              <dt className="text-ink-muted">p-value</dt><dd className="tabular-nums">{lift.pValue.toFixed(4)}</dd>
              <dt className="text-ink-muted" title="Valid however often you look (mSPRT)">Always-valid p</dt><dd className="tabular-nums">{lift.alwaysValidPValue.toFixed(4)}</dd>
              <dt className="text-ink-muted">Detectable now</dt><dd className="tabular-nums">{lift.minimumDetectableEffect ? `±${(lift.minimumDetectableEffect * 100).toFixed(1)} pp` : "—"}</dd>
            </dl>
            {!lift.enough ? <p className="text-xs text-amber-700 md:col-span-2">Fewer than 30 customers in a group: treat these figures as early signals.</p> : null}
          </div>
        )}
      </Card>

      <Card>
        <CardHeader
          title="Over time"
          description="Treatment customers who entered each day, and conversions on the day they happened (UTC days)."
          action={r.daily.length ? <Button variant="secondary" size="sm" onClick={() => downloadCsv(`${r.slug}-daily.csv`, r.daily.map((d) => ({ day: d.day, entered: d.entered, converted: d.goals })))}>Export CSV</Button> : undefined}
        />
        {r.daily.length === 0 ? (
          <EmptyState title="Nobody has entered yet">Entries and conversions per day appear here once customers enter the journey.</EmptyState>
        ) : (
          <div className="px-3 py-4" data-testid="daily">
            <TimeBars
              label={`Entries and conversions per day, ${r.daily[0]!.day} to ${r.daily.at(-1)!.day}: ${num.format(entered)} entered, ${num.format(converted)} converted`}
              data={r.daily.map((d) => ({ day: d.day, entered: d.entered, converted: d.goals }))}
              xKey="day"
              series={[{ key: "entered", label: "Entered", color: "#93acfb" }, { key: "converted", label: "Converted", color: "#2545eb" }]}
              stacked={false}
              height={200}
            />
          </div>
        )}
      </Card>

      <Card>
        <CardHeader
          title="Funnel"
          description="Customers who reached each step (treatment), their share of entrants, and the drop along straight stretches."
          action={<Button variant="secondary" size="sm" onClick={() => downloadCsv(`${r.slug}-funnel.csv`, r.funnel.map((f) => ({ step: f.nodeId, kind: f.kind, passed: f.passed, share_of_entered: f.shareOfEntered ?? "", drop_from_previous: f.dropFromPrevious ?? "" })))}>Export CSV</Button>}
        />
        {r.funnel.length === 0 ? (
          <EmptyState title="No steps" />
        ) : (
          <table className="min-w-full text-sm" data-testid="funnel">
            <tbody className="divide-y divide-surface-line">
              {r.funnel.map((f) => (
                <tr key={f.nodeId}>
                  <td className="w-48 px-5 py-2"><p className="font-medium text-ink">{f.label}</p><p className="font-mono text-xs text-ink-faint">{f.nodeId}</p>{f.kind === "decision" ? <Link href={`/journeys/${journeyId}/decisions?node=${encodeURIComponent(f.nodeId)}`} className="text-xs text-brand-700 hover:underline">Decision quality →</Link> : null}</td>
                  <td className="px-5 py-2">
                    <div className="h-5 rounded bg-brand-100"><div className="h-5 rounded bg-brand-500" style={{ width: `${(f.passed / maxPassed) * 100}%` }} /></div>
                  </td>
                  <td className="w-24 px-5 py-2 text-right tabular-nums">{num.format(f.passed)}</td>
                  <td className="w-24 px-5 py-2 text-right text-xs text-ink-muted tabular-nums">{pct(f.shareOfEntered)}</td>
                  <td className="w-28 px-5 py-2 text-right text-xs tabular-nums">{f.dropFromPrevious === null ? "" : f.dropFromPrevious <= 0 ? <span className="text-ink-muted">no drop</span> : <span className={f.dropFromPrevious > 0.3 ? "text-red-600" : "text-ink-muted"}>−{pct(f.dropFromPrevious)} drop</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>

      <Card>
        <CardHeader title="Timing and paths" description={`How long customers take (treatment${dates.applied.from || dates.applied.to ? "" : ", last 90 days"}; figures within ±5 %), and the routes of the stays that ended.`} />
        {timing.isPending ? (
          <LoadingRows label="Loading timing" />
        ) : timing.isError ? (
          <ErrorState message={timing.error.message} onRetry={() => void timing.refetch()} />
        ) : (
          <div className="grid gap-6 p-5 lg:grid-cols-[1fr_2fr]">
            <dl className="space-y-3 text-sm" data-testid="timing">
              <div>
                <dt className="text-ink-muted">Time to convert (treatment)</dt>
                <dd className="text-lg font-semibold text-ink tabular-nums">{span(timing.data.timeToConvert.p50Ms)} <span className="text-sm font-normal text-ink-muted">median · 90% within {span(timing.data.timeToConvert.p90Ms)} · {num.format(timing.data.timeToConvert.n)} conversions</span></dd>
              </div>
              <div>
                <dt className="text-ink-muted">Velocity (entry to exit)</dt>
                <dd className="text-lg font-semibold text-ink tabular-nums">{span(timing.data.velocity.p50Ms)} <span className="text-sm font-normal text-ink-muted">median · 90% within {span(timing.data.velocity.p90Ms)} · {num.format(timing.data.velocity.n)} exits</span></dd>
              </div>
            </dl>
            <div>
              <div className="mb-2 flex items-center justify-between">
                <h3 className="text-sm font-medium text-ink-soft">Most common paths</h3>
                {timing.data.paths.length ? (
                  <Button variant="secondary" size="sm" onClick={() => downloadCsv(`${r.slug}-paths.csv`, timing.data.paths.map((p) => ({ path: p.path.join(" > "), customers: p.customers, share: p.share })))}>Export CSV</Button>
                ) : null}
              </div>
              {timing.data.paths.length === 0 ? (
                <p className="text-sm text-ink-muted">No stay has ended in this period yet.</p>
              ) : (
                <ol className="space-y-2 text-sm" data-testid="paths">
                  {timing.data.paths.map((p) => (
                    <li key={p.path.join(">")}>
                      <div className="flex items-center justify-between gap-3">
                        <span className="min-w-0 truncate text-xs text-ink" title={p.path.join(" → ")}>{p.path.map((id) => names.get(id) ?? id).join(" → ")}</span>
                        <span className="shrink-0 tabular-nums text-ink-muted">{num.format(p.customers)} · {pct(p.share)}</span>
                      </div>
                      <div className="mt-1 h-1.5 rounded-full bg-surface-sunken"><div className="h-full rounded-full bg-brand-500" style={{ width: `${Math.round(p.share * 100)}%` }} /></div>
                    </li>
                  ))}
                </ol>
              )}
            </div>
          </div>
        )}
      </Card>

      <Card>
        <CardHeader
          title="Exits"
          description="Why customers left."
          action={Object.keys(r.exits).length ? <Button variant="secondary" size="sm" onClick={() => downloadCsv(`${r.slug}-exits.csv`, Object.entries(r.exits).map(([reason, customers]) => ({ reason, customers })))}>Export CSV</Button> : undefined}
        />
        <ul className="flex flex-wrap gap-4 px-5 py-4 text-sm">
          {Object.keys(r.exits).length === 0 ? <li className="text-ink-muted">Nobody has left yet.</li> : null}
          {Object.entries(r.exits).map(([reason, n]) => <li key={reason}><span className="font-semibold tabular-nums">{num.format(n)}</span> <span className="text-ink-muted">{reason.replace(/_/g, " ")}</span></li>)}
        </ul>
      </Card>
    </div>
  );
}

/** A confidence interval drawn against zero. */
function IntervalBar({ low, high, estimate }: { low: number; high: number; estimate: number }) {
  const span = Math.max(Math.abs(low), Math.abs(high), 0.01) * 1.2;
  const x = (v: number) => `${50 + (v / span) * 50}%`;
  return (
    <svg viewBox="0 0 200 24" className="mt-3 h-6 w-full max-w-sm" role="img" aria-label="95% interval of the absolute lift against zero">
      <line x1="100" x2="100" y1="2" y2="22" stroke="#94a3b8" strokeDasharray="2 2" />
      <line x1={x(low)} x2={x(high)} y1="12" y2="12" stroke={low > 0 ? "#059669" : high < 0 ? "#dc2626" : "#64748b"} strokeWidth="4" strokeLinecap="round" />
      <circle cx={x(estimate)} cy="12" r="5" fill="#0f172a" />
    </svg>
  );
}

/** A duration for people: "45 s", "12 min", "3.5 h", "2.1 d". */
function span(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}
