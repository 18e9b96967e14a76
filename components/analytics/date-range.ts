import { useState } from "react";

/**
 * A report's From / To dates as typed, and the range the report is asked for:
 * the last one that makes sense. A From after the To is said (`error`) and
 * asks for nothing new, so the figures on screen stay those of a real range
 * instead of an empty report that looks like data.
 */
export function useDateRange() {
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [applied, setApplied] = useState<{ from?: string; to?: string }>({});
  const error = from && to && from > to ? "“From” is after “To”: the figures are still those of the last valid range." : null;
  // Follows the inputs while they make a range (state adjusted during render, as React advises for derived state).
  const next = { from: from || undefined, to: to || undefined };
  if (!error && (next.from !== applied.from || next.to !== applied.to)) setApplied(next);
  return { from, to, setFrom, setTo, applied, error, clear: () => (setFrom(""), setTo("")) };
}
