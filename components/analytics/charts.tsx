"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/**
 * The dashboards' time charts, on recharts: one look everywhere (grid, axes,
 * tooltips, legend), no animation (figures refresh every few seconds and
 * should not dance), and an accessible name for each picture. A chart is
 * wrapped in a figure with role="img" so the page reads as "Events per
 * minute: 1,234 in the last hour" rather than a pile of SVG.
 */
export type ChartSeries = { key: string; label: string; color: string };
type Row = Record<string, string | number>;

const axisTick = { fontSize: 11, fill: "#64748b" };
const num = new Intl.NumberFormat("en");

function Frame({ label, height, children }: { label: string; height: number; children: React.ReactElement }) {
  return (
    <figure role="img" aria-label={label} className="w-full" style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        {children}
      </ResponsiveContainer>
    </figure>
  );
}

/** Bars over time, one or more series stacked (decisions per day by option, events per minute). */
export function TimeBars({ label, data, xKey, series, height = 160, stacked = true }: { label: string; data: Row[]; xKey: string; series: ChartSeries[]; height?: number; stacked?: boolean }) {
  return (
    <Frame label={label} height={height}>
      <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} barCategoryGap={2}>
        <CartesianGrid vertical={false} stroke="#e2e8f0" />
        <XAxis dataKey={xKey} tick={axisTick} tickLine={false} axisLine={{ stroke: "#e2e8f0" }} minTickGap={24} />
        <YAxis width={44} tick={axisTick} tickLine={false} axisLine={false} allowDecimals={false} tickFormatter={(v: number) => num.format(v)} />
        <Tooltip cursor={{ fill: "#f1f5f9" }} formatter={(v) => num.format(Number(v))} contentStyle={{ fontSize: 12, borderRadius: 8 }} />
        {series.length > 1 ? <Legend iconType="square" iconSize={8} itemSorter={null} wrapperStyle={{ fontSize: 12 }} /> : null}
        {series.map((s) => (
          <Bar key={s.key} dataKey={s.key} name={s.label} fill={s.color} stackId={stacked ? "all" : undefined} isAnimationActive={false} maxBarSize={56} radius={stacked ? 0 : [2, 2, 0, 0]} />
        ))}
      </BarChart>
    </Frame>
  );
}
