import { add, type Duration } from "date-fns";
import { TZDate } from "@date-fns/tz";
import { offsetMinutes } from "./local-time";

/**
 * ISO 8601 durations (`PT30M`, `PT2H`, `P3D`, `P1W`, `P1DT12H`). date-fns has
 * no ISO duration parser, so this small one parses; applying a duration is
 * date-fns `add` on a TZDate, so calendar parts (days, weeks, months) follow
 * the journey's time zone across DST changes while hours and minutes are exact.
 */
const pattern = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const parsed = new Map<string, Readonly<Duration> | null>();
/** The duration `text` stands for, or null; memoised (waits parse their duration on every pass), the result frozen. */
export function parseDuration(text: string): Readonly<Duration> | null {
  let d = parsed.get(text);
  if (d === undefined) {
    d = parseDurationText(text);
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(text, d && Object.freeze(d));
  }
  return d;
}

function parseDurationText(text: string): Duration | null {
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

/**
 * The longest duration a journey may hold (a wait, a window, a cooldown): ten years. A longer one is refused when the
 * journey is validated: a wait of P999999Y ends past the last date a Date can hold, and every step that reached it
 * failed. For "never again", reentry "once" says it.
 */
export const maxDurationDays = 3_660;

/** Whether an ISO duration (already known to parse) is at most maxDurationDays long. */
export function withinMaxDuration(text: string): boolean {
  const d = parseDuration(text);
  return d !== null && durationMs(d) <= maxDurationDays * 86_400_000;
}

export function isDuration(text: unknown): text is string {
  return typeof text === "string" && parseDuration(text) !== null;
}

/** `at` plus `duration`, in time zone `tz` (calendar units follow local time). */
export function addDuration(at: Date, duration: Readonly<Duration>, tz = "UTC"): Date {
  const { hours = 0, minutes = 0, seconds = 0, ...calendar } = duration;
  const exact = ((hours * 60 + minutes) * 60 + seconds) * 1000;
  const days = calendar.years || calendar.months ? null : (calendar.weeks ?? 0) * 7 + (calendar.days ?? 0);
  const fast = days === null ? null : addLocalDays(at.getTime(), days, tz);
  const local = fast ?? add(new TZDate(at.getTime(), tz), calendar).getTime();
  return new Date(local + exact);
}

const dayMs = 86_400_000;
/** Offsets are the same this long either side of a result the fast path gives (the largest jump a zone ever made is a day: Samoa, 2011). */
const steadyMs = 26 * 3_600_000;

/**
 * `ms` plus whole local days in `tz` (the same wall-clock time, `days` calendar
 * days later), as date-fns `add` on a TZDate gives it, without its cost
 * (TZDate asks Intl for the zone's offset several times per call: about 30 µs,
 * against well under 1 µs here with the memoised offsets of local-time.ts).
 * Only where the answer is unambiguous: when the zone's offset is the same
 * for a day either side of the result, the local time exists exactly once
 * there. Near a change of offset (a DST gap or overlap) it answers null and
 * the caller asks date-fns (durations.test.ts checks the two agree).
 */
export function addLocalDays(ms: number, days: number, tz: string): number | null {
  if (days === 0) return ms;
  const wall = ms + offsetMinutes(tz, ms) * 60_000 + days * dayMs;
  if (!Number.isFinite(wall)) return null;
  const offset = offsetMinutes(tz, wall - offsetMinutes(tz, wall) * 60_000);
  const utc = wall - offset * 60_000;
  if (offsetMinutes(tz, utc) !== offset || offsetMinutes(tz, utc - steadyMs) !== offset || offsetMinutes(tz, utc + steadyMs) !== offset) return null;
  return utc;
}

/** Approximate length in ms, for windows and pruning (a day = 24 h). */
export function durationMs(duration: Readonly<Duration>): number {
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
