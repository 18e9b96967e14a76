"use client";

import { Button } from "@/components/ui/button";
import type { useDateRange } from "./date-range";

/**
 * The From / To inputs of a report's date range (useDateRange), with "All time" once a date is set and the
 * reason, under them, when the range is not one. `children` go on the same row (a report's other filters).
 */
export function DateRangeFields({ range, children }: { range: ReturnType<typeof useDateRange>; children?: React.ReactNode }) {
  const { from, to, setFrom, setTo, error, clear } = range;
  const input = `mt-1 block h-9 rounded-md border px-2 text-sm ${error ? "border-red-400" : "border-surface-line"}`;
  return (
    <form className="flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()} aria-label="Date range">
      <label className="text-sm text-ink-soft">
        From
        <input type="date" aria-label="From" aria-invalid={!!error} value={from} onChange={(e) => setFrom(e.target.value)} className={input} />
      </label>
      <label className="text-sm text-ink-soft">
        To
        <input type="date" aria-label="To" aria-invalid={!!error} value={to} onChange={(e) => setTo(e.target.value)} className={input} />
      </label>
      {children}
      {from || to ? <Button variant="ghost" size="sm" onClick={clear}>All time</Button> : null}
      {error ? <p role="alert" className="basis-full text-xs text-red-600">{error}</p> : null}
    </form>
  );
}
