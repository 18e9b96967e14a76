/** The wait widget's amount + unit, to and from ISO 8601 durations. Pure. */
export const units = [
  { unit: "M", label: "minutes", time: true },
  { unit: "H", label: "hours", time: true },
  { unit: "D", label: "days", time: false },
  { unit: "W", label: "weeks", time: false },
] as const;

/** "PT2H" → { n: 2, unit: "H" }; null for anything that is not one simple amount. */
export function splitDuration(iso: string): { n: number; unit: (typeof units)[number]["unit"] } | null {
  const m = /^P(?:(\d+)([DW])|T(\d+)([MH]))$/.exec(iso);
  if (!m) return null;
  return m[1] ? { n: Number(m[1]), unit: m[2] as "D" | "W" } : { n: Number(m[3]), unit: m[4] as "M" | "H" };
}
export function joinDuration(n: number, unit: (typeof units)[number]["unit"]): string {
  return unit === "M" || unit === "H" ? `PT${n}${unit}` : `P${n}${unit}`;
}
