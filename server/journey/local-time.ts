import { tzOffset } from "@date-fns/tz";

/**
 * The zone's UTC offset (minutes) at `ms`, from @date-fns/tz, memoised per zone
 * and quarter hour: zone rules only change offsets on quarter hours, so the
 * memo is exact, and the hot path (quiet hours, context.hour) skips Intl.
 */
const offsets = new Map<string, Map<number, number>>();
let memoSize = 0;
let lastTz = "";
let lastQuarter = NaN;
let lastOffset = 0;
export function offsetMinutes(tz: string, ms: number): number {
  if (tz === "UTC") return 0;
  const quarter = Math.floor(ms / 900_000);
  // A step asks for one zone and time several times (context.hour, quiet hours): the last answer, without the maps.
  if (quarter === lastQuarter && tz === lastTz) return lastOffset;
  let zone = offsets.get(tz);
  if (!zone) {
    if (offsets.size > 1_000) offsets.clear();
    offsets.set(tz, (zone = new Map()));
  }
  let off = zone.get(quarter);
  if (off === undefined) {
    if (++memoSize > 50_000) {
      for (const z of offsets.values()) z.clear();
      memoSize = 0;
    }
    off = tzOffset(tz, new Date(ms));
    zone.set(quarter, off);
  }
  lastTz = tz;
  lastQuarter = quarter;
  lastOffset = off;
  return off;
}

const dayMs = 86_400_000;
/** `ms` as local wall-clock time in `tz`, epoch-like (offset from @date-fns/tz): a number, no object per call. */
export function localMs(ms: number, tz: string): number {
  return ms + offsetMinutes(tz, ms) * 60_000;
}
/** Hour (0..23) and day of the week (0 = Sunday) of local epoch-like `local` (Day 0, 1970-01-01, was a Thursday). */
export const hourOf = (local: number) => {
  // Hours since the epoch, modulo 24 (a day is 24 whole hours): one division instead of two (`+ 0`: 0, not -0).
  const h = Math.floor(local / 3_600_000) % 24;
  return h < 0 ? h + 24 : h + 0;
};
export const dayOfWeekOf = (local: number) => {
  const d = (Math.floor(local / dayMs) + 4) % 7;
  return d < 0 ? d + 7 : d + 0;
};

/** Local wall-clock parts of `at` (a Date, or epoch ms) in `tz` (IANA). */
export function localParts(at: Date | number, tz: string): { hour: number; minute: number; dayOfWeek: number } {
  const local = localMs(typeof at === "number" ? at : at.getTime(), tz);
  const inDay = local - Math.floor(local / dayMs) * dayMs;
  return { hour: Math.floor(inDay / 3_600_000), minute: Math.floor(inDay / 60_000) % 60, dayOfWeek: dayOfWeekOf(local) };
}

/** The local hour (0..23) of epoch `ms` in `tz`. */
export function localHour(ms: number, tz: string): number {
  return hourOf(localMs(ms, tz));
}

const clocks = new Map<string, { hour: number; minute: number } | null>();
export function parseClock(text: string): { hour: number; minute: number } | null {
  let clock = clocks.get(text);
  if (clock === undefined) {
    const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
    clock = m ? Object.freeze({ hour: Number(m[1]), minute: Number(m[2]) }) : null;
    if (clocks.size > 10_000) clocks.clear();
    clocks.set(text, clock);
  }
  return clock;
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
 * Whether `at` (a Date, or epoch ms) falls in quiet hours [start, end) in `tz` (the window may wrap
 * midnight, e.g. 21:00–08:00), and if so when they end.
 */
export function quietUntil(at: Date | number, quiet: { start: string; end: string }, tz: string): Date | null {
  const start = parseClock(quiet.start);
  const end = parseClock(quiet.end);
  if (!start || !end) return null;
  const { hour, minute } = localParts(at, tz);
  const now = hour * 60 + minute;
  const s = start.hour * 60 + start.minute;
  const e = end.hour * 60 + end.minute;
  const inside = s <= e ? now >= s && now < e : now >= s || now < e;
  // `at` as epoch ms (the engine's step): a Date only when quiet hours hold the message.
  return inside ? nextLocalTime(typeof at === "number" ? new Date(at) : at, end, tz) : null;
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
