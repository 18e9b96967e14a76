"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/provider";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import type { GlobalControlRow } from "@/server/analytics/global-control";
import type { Lift } from "@/server/analytics/lift";
import { downloadCsv } from "./csv";
import { useDateRange } from "./date-range";
import { DateRangeFields } from "./date-range-fields";

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
const pp = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)} pp`;

/** Every journey against the global control group: a forest plot of the lift with its interval, and the table behind it. */
export function GlobalControl() {
  const trpc = useTRPC();
  const range = useDateRange();
  const report = useQuery(trpc.analytics.globalControl.queryOptions(range.applied, { placeholderData: (prev) => prev }));
  return (
    <div className="space-y-6">
      <DateRangeFields range={range} />
      {report.isPending ? (
        <Card><LoadingRows label="Loading the global control comparison" /></Card>
      ) : report.isError ? (
        <Card><ErrorState message={report.error.message} onRetry={() => void report.refetch()} /></Card>
      ) : (
        <Body report={report.data} />
      )}
    </div>
  );
}

function Body({ report }: { report: { percent: number; journeys: GlobalControlRow[]; all: Omit<GlobalControlRow, "journeyId" | "name"> } }) {
  const rows = [...report.journeys, { journeyId: "", name: "All journeys (pooled)", ...report.all }];
  const withLift = rows.filter((r) => r.lift);
  return (
    <>
      <Card>
        <CardHeader
          title={report.percent > 0 ? `Global control group: ${report.percent}% of customers` : "No global control group"}
          description={
            report.percent > 0
              ? "A fixed share of all customers gets no journey messages at all. Comparing each journey's treatment with them shows what the journeys add together, beyond each journey's own holdout."
              : "Set a global control group in Settings → Guardrails to measure what all journeys add together."
          }
          action={report.percent > 0 ? null : <Link href="/settings" className="text-sm font-medium text-brand-700 hover:underline">Open Settings</Link>}
        />
        {withLift.length === 0 ? (
          <EmptyState title="Nothing to compare yet">Lift appears once a journey has entrants both in treatment and in the global control group.</EmptyState>
        ) : (
          <Forest rows={withLift as (GlobalControlRow & { lift: Lift })[]} />
        )}
      </Card>
      <Card>
        <CardHeader
          title="By journey"
          description="Conversion to each journey's goal within its window; 95% intervals (unpooled two-proportion z); the always-valid p stays honest however often you look."
          action={
            rows.length > 1 ? (
              <Button
                variant="secondary"
                size="sm"
                onClick={() =>
                  downloadCsv(
                    "global-control.csv",
                    rows.map((r) => ({
                      journey: r.journeyId || "all",
                      treatment_entered: r.treatment.entered,
                      treatment_converted: r.treatment.converted,
                      control_entered: r.control.entered,
                      control_converted: r.control.converted,
                      lift_pp: r.lift ? r.lift.absolute.estimate : "",
                      lift_low: r.lift ? r.lift.absolute.low : "",
                      lift_high: r.lift ? r.lift.absolute.high : "",
                      relative_lift: r.lift?.relative ? r.lift.relative.estimate : "",
                      p_value: r.lift ? r.lift.pValue : "",
                      always_valid_p: r.lift ? r.lift.alwaysValidPValue : "",
                    })),
                  )
                }
              >
                Export CSV
              </Button>
            ) : null
          }
        />
        {report.journeys.length === 0 ? (
          <EmptyState title="No journey has had entrants in this period" />
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="global-control-table">
              <thead className="text-left text-xs text-ink-muted">
                <tr>
                  <th className="px-5 py-2 font-medium">Journey</th>
                  <th className="px-2 py-2 text-right font-medium">Treatment</th>
                  <th className="px-2 py-2 text-right font-medium">Global control</th>
                  <th className="px-2 py-2 text-right font-medium">Lift (95% CI)</th>
                  <th className="px-2 py-2 text-right font-medium">Relative</th>
                  <th className="px-5 py-2 text-right font-medium">Always-valid p</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-surface-line">
                {rows.map((r) => (
                  <tr key={r.journeyId || "all"} className={r.journeyId ? "" : "bg-surface-sunken font-medium"}>
                    <td className="px-5 py-2 text-ink">{r.name}</td>
                    <td className="px-2 py-2 text-right tabular-nums">{r.treatment.entered ? `${pct(r.treatment.converted / r.treatment.entered)} of ${r.treatment.entered.toLocaleString("en")}` : "—"}</td>
                    <td className="px-2 py-2 text-right tabular-nums">{r.control.entered ? `${pct(r.control.converted / r.control.entered)} of ${r.control.entered.toLocaleString("en")}` : "—"}</td>
                    <td className="px-2 py-2 text-right tabular-nums">{r.lift ? `${pp(r.lift.absolute.estimate)} (${pp(r.lift.absolute.low)} to ${pp(r.lift.absolute.high)})` : "—"}</td>
                    <td className="px-2 py-2 text-right tabular-nums">{r.lift?.relative ? `${r.lift.relative.estimate >= 0 ? "+" : ""}${pct(r.lift.relative.estimate, 0)}` : "—"}</td>
                    <td className="px-5 py-2 text-right tabular-nums">{r.lift ? r.lift.alwaysValidPValue.toFixed(3) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}

/** A forest plot: each journey's absolute lift as a dot with its 95% interval, around zero. */
function Forest({ rows }: { rows: (GlobalControlRow & { lift: Lift })[] }) {
  const extent = Math.max(0.01, ...rows.flatMap((r) => [Math.abs(r.lift.absolute.low), Math.abs(r.lift.absolute.high)]));
  const width = 640;
  const left = 200;
  const plot = width - left - 20;
  const x = (v: number) => left + ((v + extent) / (2 * extent)) * plot;
  const rowH = 28;
  const height = rows.length * rowH + 30;
  return (
    <div className="overflow-x-auto px-5 py-4">
      <svg viewBox={`0 0 ${width} ${height}`} className="w-full max-w-3xl" role="img" aria-label="Lift over the global control group by journey, with 95% intervals">
        <line x1={x(0)} x2={x(0)} y1={4} y2={height - 22} className="stroke-ink-faint" strokeDasharray="3 3" />
        {rows.map((r, i) => {
          const y = 16 + i * rowH;
          const positive = r.lift.absolute.low > 0;
          const negative = r.lift.absolute.high < 0;
          const tone = positive ? "fill-emerald-600 stroke-emerald-600" : negative ? "fill-red-600 stroke-red-600" : "fill-ink-soft stroke-ink-soft";
          return (
            <g key={r.journeyId || "all"}>
              <text x={left - 10} y={y + 4} textAnchor="end" className={`fill-ink text-[12px] ${r.journeyId ? "" : "font-semibold"}`}>
                {r.name.length > 28 ? `${r.name.slice(0, 27)}…` : r.name}
              </text>
              <line x1={x(r.lift.absolute.low)} x2={x(r.lift.absolute.high)} y1={y} y2={y} className={tone} strokeWidth={2} />
              <circle cx={x(r.lift.absolute.estimate)} cy={y} r={r.journeyId ? 4 : 5} className={tone} />
              <title>{`${r.name}: ${pp(r.lift.absolute.estimate)} (${pp(r.lift.absolute.low)} to ${pp(r.lift.absolute.high)})`}</title>
            </g>
          );
        })}
        <text x={x(-extent)} y={height - 6} className="fill-ink-muted text-[11px]">{pp(-extent)}</text>
        <text x={x(0)} y={height - 6} textAnchor="middle" className="fill-ink-muted text-[11px]">no effect</text>
        <text x={x(extent)} y={height - 6} textAnchor="end" className="fill-ink-muted text-[11px]">{pp(extent)}</text>
      </svg>
      <p className="mt-1 text-xs text-ink-muted">Green: the interval is above zero (the journey adds conversions); red: below; grey: not distinguishable from no effect yet.</p>
    </div>
  );
}
