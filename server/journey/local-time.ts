import { TZDate } from "@date-fns/tz";
import { addDays, set } from "date-fns";

/** Local wall-clock parts of `at` in `tz` (IANA), via @date-fns/tz. */
export function localParts(at: Date, tz: string): { hour: number; minute: number; dayOfWeek: number } {
  const local = new TZDate(at.getTime(), tz);
  return { hour: local.getHours(), minute: local.getMinutes(), dayOfWeek: local.getDay() };
}

export function parseClock(text: string): { hour: number; minute: number } | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : null;
}

/** The next instant strictly after `at` whose local time in `tz` is hh:mm (DST-aware: a skipped time moves forward). */
export function nextLocalTime(at: Date, clock: { hour: number; minute: number }, tz: string): Date {
  const local = new TZDate(at.getTime(), tz);
  let candidate = set(local, { hours: clock.hour, minutes: clock.minute, seconds: 0, milliseconds: 0 });
  if (candidate.getTime() <= at.getTime()) candidate = set(addDays(local, 1), { hours: clock.hour, minutes: clock.minute, seconds: 0, milliseconds: 0 });
  return new Date(candidate.getTime());
}

/**
 * Whether `at` falls in quiet hours [start, end) in `tz` (the window may wrap
 * midnight, e.g. 21:00–08:00), and if so when they end.
 */
export function quietUntil(at: Date, quiet: { start: string; end: string }, tz: string): Date | null {
  const start = parseClock(quiet.start);
  const end = parseClock(quiet.end);
  if (!start || !end) return null;
  const { hour, minute } = localParts(at, tz);
  const now = hour * 60 + minute;
  const s = start.hour * 60 + start.minute;
  const e = end.hour * 60 + end.minute;
  const inside = s <= e ? now >= s && now < e : now >= s || now < e;
  return inside ? nextLocalTime(at, end, tz) : null;
}

/** True when `tz` is an IANA zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
