import { tzOffset } from "@date-fns/tz";

/**
 * The zone's UTC offset (minutes) at `ms`, from @date-fns/tz, memoised per zone
 * and quarter hour: zone rules only change offsets on quarter hours, so the
 * memo is exact, and the hot path (quiet hours, context.hour) skips Intl.
 */
const offsets = new Map<string, number>();
export function offsetMinutes(tz: string, ms: number): number {
  if (tz === "UTC") return 0;
  const key = `${tz}|${Math.floor(ms / 900_000)}`;
  let off = offsets.get(key);
  if (off === undefined) {
    if (offsets.size > 50_000) offsets.clear();
    off = tzOffset(tz, new Date(ms));
    offsets.set(key, off);
  }
  return off;
}

/** Local wall-clock parts of `at` in `tz` (IANA). */
export function localParts(at: Date, tz: string): { hour: number; minute: number; dayOfWeek: number } {
  const local = new Date(at.getTime() + offsetMinutes(tz, at.getTime()) * 60_000);
  return { hour: local.getUTCHours(), minute: local.getUTCMinutes(), dayOfWeek: local.getUTCDay() };
}

export function parseClock(text: string): { hour: number; minute: number } | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : null;
}

/**
 * The next instant strictly after `at` whose local time in `tz` is hh:mm.
 * Zone rules come from @date-fns/tz (offsetMinutes); the local target is
 * resolved to UTC with the offset in force at that moment, so it stays right
 * across DST changes (a local time skipped by a spring-forward lands just after the gap).
 */
export function nextLocalTime(at: Date, clock: { hour: number; minute: number }, tz: string): Date {
  const ms = at.getTime();
  const local = new Date(ms + offsetMinutes(tz, ms) * 60_000);
  const dayStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  for (let d = 0; d < 3; d++) {
    const target = dayStart + d * 86_400_000 + (clock.hour * 60 + clock.minute) * 60_000;
    let utc = target - offsetMinutes(tz, target) * 60_000;
    utc = target - offsetMinutes(tz, utc) * 60_000;
    if (utc > ms) return new Date(utc);
  }
  return new Date(ms + 86_400_000);
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

const knownZones = new Map<string, boolean>();

/** True when `tz` is an IANA zone this runtime knows (memoised). */
export function isTimeZone(tz: string): boolean {
  let known = knownZones.get(tz);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      known = true;
    } catch {
      known = false;
    }
    if (knownZones.size < 10_000) knownZones.set(tz, known);
  }
  return known;
}
