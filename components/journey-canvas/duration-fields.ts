import type { Duration } from "date-fns";
import { parseDuration } from "@/server/journey/durations";

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

const friendlyUnits: Record<string, keyof Duration> = {
  w: "weeks", wk: "weeks", week: "weeks", weeks: "weeks",
  d: "days", day: "days", days: "days",
  h: "hours", hr: "hours", hrs: "hours", hour: "hours", hours: "hours",
  m: "minutes", min: "minutes", mins: "minutes", minute: "minutes", minutes: "minutes",
  s: "seconds", sec: "seconds", secs: "seconds", second: "seconds", seconds: "seconds",
};

/**
 * A delay as a person types it: "2h", "30 min", "1d 12h", "0", or an ISO 8601 duration ("PT2H"). Null for
 * anything else (a unit it does not know, a month or year: their length varies, so they are left to ISO).
 */
export function parseFriendlyDuration(text: string): Duration | null {
  const t = text.trim().toLowerCase();
  if (t === "") return null;
  if (t === "0" || t === "now") return {};
  if (t.startsWith("p")) return parseDuration(t.toUpperCase());
  const d: Duration = {};
  const part = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*,?\s*/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = part.exec(t))) {
    const unit = friendlyUnits[m[2]!];
    if (!unit || d[unit] !== undefined) return null;
    const n = Number(m[1]);
    if (!Number.isInteger(n)) return null;
    d[unit] = n;
    end = part.lastIndex;
  }
  return end === t.length && end > 0 ? d : null;
}
