import { add, type Duration } from "date-fns";
import { TZDate } from "@date-fns/tz";

/**
 * ISO 8601 durations (`PT30M`, `PT2H`, `P3D`, `P1W`, `P1DT12H`). date-fns has
 * no ISO duration parser, so this small one parses; applying a duration is
 * date-fns `add` on a TZDate, so calendar parts (days, weeks, months) follow
 * the journey's time zone across DST changes while hours and minutes are exact.
 */
const pattern = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function parseDuration(text: string): Duration | null {
  const m = pattern.exec(text);
  if (!m) return null;
  const [, years, months, weeks, days, hours, minutes, seconds] = m;
  const d: Duration = {};
  if (years) d.years = Number(years);
  if (months) d.months = Number(months);
  if (weeks) d.weeks = Number(weeks);
  if (days) d.days = Number(days);
  if (hours) d.hours = Number(hours);
  if (minutes) d.minutes = Number(minutes);
  if (seconds) d.seconds = Number(seconds);
  return d;
}

export function isDuration(text: unknown): text is string {
  return typeof text === "string" && parseDuration(text) !== null;
}

/** `at` plus `duration`, in time zone `tz` (calendar units follow local time). */
export function addDuration(at: Date, duration: Duration, tz = "UTC"): Date {
  const { hours = 0, minutes = 0, seconds = 0, ...calendar } = duration;
  const local = add(new TZDate(at.getTime(), tz), calendar);
  return new Date(local.getTime() + ((hours * 60 + minutes) * 60 + seconds) * 1000);
}

/** Approximate length in ms, for windows and pruning (a day = 24 h). */
export function durationMs(duration: Duration): number {
  const { years = 0, months = 0, weeks = 0, days = 0, hours = 0, minutes = 0, seconds = 0 } = duration;
  return ((((years * 365 + months * 30 + weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
}

/** "1 h", "30 min", "3 d", "1 d 12 h": short labels for canvas node views. */
export function formatDuration(text: string): string {
  const d = parseDuration(text);
  if (!d) return text;
  const parts: string[] = [];
  const push = (n: number | undefined, unit: string) => n && parts.push(`${n} ${unit}`);
  push(d.years, "y");
  push(d.months, "mo");
  push(d.weeks, "w");
  push(d.days, "d");
  push(d.hours, "h");
  push(d.minutes, "min");
  push(d.seconds, "s");
  return parts.join(" ") || "0 s";
}
