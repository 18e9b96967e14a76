"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/provider";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TimeBars } from "./charts";
import { downloadCsv } from "./csv";

const pct = (x: number | null | undefined, digits = 1) => (x === null || x === undefined || Number.isNaN(x) ? "—" : `${(x * 100).toFixed(digits)}%`);
const num = new Intl.NumberFormat("en");
const palette = ["#3b5bfd", "#14b8a6", "#f59e0b", "#ec4899", "#8b5cf6", "#64748b"];
const policyName: Record<string, string> = { bandit: "Bandit (Thompson sampling)", model: "AI model", rules: "Rules (first eligible)" };
const estimateName: Record<string, string> = { logged: "This policy (as logged)", uniform: "Uniform random choice", rules: "First eligible option" };

/** Per decision node: what each option earns, how the policy allocates over time, fallbacks, and offline estimates of other policies. */
export function DecisionQuality({ journeyId, nodeId }: { journeyId: string; nodeId?: string }) {
  const trpc = useTRPC();
  const report = useQuery(trpc.analytics.decisionReport.queryOptions({ journeyId, nodeId }, { refetchInterval: 10_000, placeholderData: (p) => p }));
  if (report.isPending) return <Card><LoadingRows label="Loading decisions" /></Card>;
  if (report.isError) return <Card><ErrorState message={report.error.message} onRetry={() => void report.refetch()} /></Card>;
  const r = report.data;
  if (!r.node) return <Card><EmptyState title="No decision node in this journey">Add a Decision node on the canvas to let Waymark choose each customer&apos;s next best action.</EmptyState></Card>;
  const color = new Map(r.options.map((o, i) => [o.handle, palette[i % palette.length]!]));
  color.set("fallback", "#cbd5e1");
  const maxRate = Math.max(0.01, ...r.options.map((o) => o.high ?? 0));

  return (
    <div className="space-y-6">
      {r.nodes.length > 1 ? (
        <nav className="flex flex-wrap gap-2 text-sm" aria-label="Decision nodes">
          {r.nodes.map((n) => (
            <Link key={n.id} href={`/journeys/${journeyId}/decisions?node=${encodeURIComponent(n.id)}`} className={`rounded-md border px-3 py-1 ${n.id === r.node!.id ? "border-brand-600 bg-brand-50 text-brand-800" : "border-surface-line text-ink-muted hover:bg-surface-sunken"}`}>
              {n.label}
            </Link>
          ))}
        </nav>
      ) : null}
      <Card>
        <CardHeader
          title={`Options of “${r.node.id}”`}
          description={`${policyName[r.node.policy] ?? r.node.policy}. Conversion: the journey goal within its window after the decision, with a 95% Wilson interval.`}
          action={<Button variant="secondary" size="sm" onClick={() => downloadCsv(`${r.slug}-${r.node!.id}-options.csv`, r.options.map((o) => ({ option: o.handle, channel: o.channel ?? "", decisions: o.decisions, conversions: o.conversions, rate: o.rate ?? "", low: o.low ?? "", high: o.high ?? "", posterior_mean: o.posteriorMean })))}>Export CSV</Button>}
        />
        <table className="w-full text-sm" data-testid="decision-options">
          <thead className="text-left text-xs text-ink-muted uppercase">
            <tr><th className="px-5 py-2 font-medium">Option</th><th className="px-2 py-2 text-right font-medium">Decisions</th><th className="px-2 py-2 text-right font-medium">Conversions</th><th className="w-2/5 px-5 py-2 font-medium">Conversion rate (95% CI)</th><th className="px-5 py-2 text-right font-medium">Posterior mean</th></tr>
          </thead>
          <tbody>
            {r.options.map((o) => (
              <tr key={o.handle} className="border-t border-surface-line">
                <td className="px-5 py-2"><span className="mr-2 inline-block size-2.5 rounded-full" style={{ background: color.get(o.handle) }} />{o.label}<span className="ml-2 text-xs text-ink-muted">{o.channel ?? ""}</span></td>
                <td className="px-2 py-2 text-right tabular-nums">{num.format(o.decisions)}</td>
                <td className="px-2 py-2 text-right tabular-nums">{num.format(o.conversions)}</td>
                <td className="px-5 py-2">
                  <div className="flex items-center gap-3">
                    <svg viewBox="0 0 200 12" className="h-3 w-40 shrink-0" aria-hidden>
                      <line x1="0" x2="200" y1="6" y2="6" stroke="#e2e8f0" strokeWidth="2" />
                      {o.low !== null && o.high !== null ? <line x1={(o.low / maxRate) * 200} x2={(o.high / maxRate) * 200} y1="6" y2="6" stroke={color.get(o.handle)} strokeWidth="4" strokeLinecap="round" /> : null}
                      {o.rate !== null ? <circle cx={(o.rate / maxRate) * 200} cy="6" r="4" fill="#0f172a" /> : null}
                    </svg>
                    <span className="tabular-nums">{pct(o.rate)} <span className="text-xs text-ink-muted">({pct(o.low)}–{pct(o.high)})</span></span>
                  </div>
                </td>
                <td className="px-5 py-2 text-right tabular-nums">{pct(o.posteriorMean)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>

      <Card>
        <CardHeader
          title="Allocation over time"
          description="Decisions per day by option: a learning policy shifts towards what converts."
          action={r.allocation.length ? <Button variant="secondary" size="sm" onClick={() => downloadCsv(`${r.slug}-${r.node!.id}-allocation.csv`, r.allocation.flatMap((d) => Object.entries(d.counts).map(([option, decisions]) => ({ day: d.day, option, decisions }))))}>Export CSV</Button> : undefined}
        />
        {r.allocation.length === 0 ? (
          <EmptyState title="No decisions yet">Decisions appear here as customers reach this node.</EmptyState>
        ) : (
          <div className="px-5 py-4">
            <TimeBars
              label={`Decisions per day by option, ${r.allocation[0]!.day} to ${r.allocation.at(-1)!.day}`}
              data={r.allocation.map((d) => ({ day: d.day, ...d.counts }))}
              xKey="day"
              series={[...color.entries()].filter(([h]) => r.allocation.some((d) => (d.counts[h] ?? 0) > 0)).map(([h, c]) => ({ key: h, label: r.options.find((o) => o.handle === h)?.label ?? h, color: c }))}
              height={200}
            />
          </div>
        )}
      </Card>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader title="Offline estimates" description={`What other policies would have earned on the same customers (inverse propensity weighting over the last ${num.format(r.logged.withOption)} decisions that took an option).`} />
          {r.estimates.length === 0 ? (
            <EmptyState title="Not enough decisions yet" />
          ) : (
            <table className="w-full text-sm" data-testid="decision-estimates">
              <thead className="text-left text-xs text-ink-muted uppercase"><tr><th className="px-5 py-2 font-medium">Policy</th><th className="px-2 py-2 text-right font-medium">Conversion (SNIPS)</th><th className="px-5 py-2 text-right font-medium">IPS 95% CI</th></tr></thead>
              <tbody>
                {r.estimates.map((e) => (
                  <tr key={e.policy} className="border-t border-surface-line"><td className="px-5 py-2">{estimateName[e.policy] ?? e.policy}</td><td className="px-2 py-2 text-right tabular-nums">{pct(e.snips)}</td><td className="px-5 py-2 text-right text-xs text-ink-muted tabular-nums">{pct(e.low)}–{pct(e.high)}</td></tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        <Card>
          <CardHeader title="Fallbacks" description={`Customers who took the fallback path, by reason.${r.logged.medianLatencyMs !== null ? ` Median model latency ${r.logged.medianLatencyMs} ms.` : ""}`} />
          {r.fallbacks.length === 0 ? (
            <p className="px-5 py-4 text-sm text-ink-muted">No fallbacks among the last {num.format(r.logged.decisions)} decisions.</p>
          ) : (
            <ul className="divide-y divide-surface-line text-sm" data-testid="decision-fallbacks">
              {r.fallbacks.map((f) => <li key={f.reason} className="flex justify-between px-5 py-2"><code className="text-xs">{f.reason}</code><span className="tabular-nums">{num.format(f.count)}</span></li>)}
            </ul>
          )}
        </Card>
      </div>
    </div>
  );
}
