/**
 * ISO 8601 instants as Date#toISOString writes them, on the engine's hot path
 * (one orchestrate call would otherwise parse and write the same instants
 * several times). Both functions agree with toISOString exactly (iso.test.ts).
 */

const dayMs = 86_400_000;

/**
 * True for text that Date#toISOString would write back unchanged (`ms` is its
 * parse), so it need not be written again: the canonical shape, with a day the
 * parser cannot roll over (it reads 2026-02-30 as March 2nd and 24:00 as the
 * next day: those, and any day past the 28th, go the long way).
 */
export function isCanonicalIso(t: string, ms: number): boolean {
  // Text parseIso last read by arithmetic has the shape, a day up to the 28th and an hour up to 23 (orchestrate asks
  // right after parsing its input's time).
  if (t === clockSource && t.length === 24) return !Number.isNaN(ms);
  if (!hasIsoShape(t) || Number.isNaN(ms)) return false;
  const day = (t.charCodeAt(8) - 48) * 10 + (t.charCodeAt(9) - 48);
  const hour = (t.charCodeAt(11) - 48) * 10 + (t.charCodeAt(12) - 48);
  return day <= 28 && hour <= 23;
}

/** `YYYY-MM-DDTHH:MM:SS.mmmZ` punctuation in place (the digits are checked by whoever reads them). */
function hasIsoShape(t: string): boolean {
  return (
    t.length === 24 &&
    t.charCodeAt(23) === 90 /* Z */ &&
    t.charCodeAt(10) === 84 /* T */ &&
    t.charCodeAt(19) === 46 /* . */ &&
    t.charCodeAt(4) === 45 /* - */ &&
    t.charCodeAt(7) === 45 &&
    t.charCodeAt(13) === 58 /* : */ &&
    t.charCodeAt(16) === 58
  );
}

/**
 * The time of day (`HH:MM:SS.mmmZ`, milliseconds since midnight UTC `clockInDay`) of the last canonical instant read
 * or written: a step writes several instants a whole number of days from its input's time (the scoring tick a day
 * later, a cap's window start a day earlier, a suppression's or a goal window's end), and those share it. `clockText`
 * is cut from `clockSource` (text read by parseIso) only when an instant needs it.
 */
let clockInDay = NaN;
let clockSource = "";
let clockText: string | undefined;

/**
 * Date.parse(t), faster for canonical text (arithmetic on its digits; several
 * times quicker than the parser here), and Date.parse itself for anything else.
 */
let lastText = "";
let lastMs = NaN;
export function parseIso(t: string): number {
  // One step reads the same instant several times (the event's time, then the message it just sent at that time).
  if (t !== lastText) {
    lastMs = parseIsoText(t);
    lastText = t;
  }
  return lastMs;
}

/**
 * parseIso(t) for text that is most likely new (an input's time): parsed without first comparing it with the text
 * parseIso last read (a comparison of two 24-character texts that differ near their end cost a fifth of the parse),
 * and remembered as parseIso's last. Same value.
 */
export function parseNewIso(t: string): number {
  lastMs = parseIsoText(t);
  lastText = t;
  return lastMs;
}

function parseIsoText(t: string): number {
  if (hasIsoShape(t)) {
    // Each character's digit (a character that is not a digit gives a value outside 0..9, so its pair fails the
    // checks below and the text goes to the parser). Read here, not through a helper per pair: V8 did not inline it,
    // and the eight calls were a tenth of a step's parse.
    const d0 = t.charCodeAt(0) - 48, d1 = t.charCodeAt(1) - 48, d2 = t.charCodeAt(2) - 48, d3 = t.charCodeAt(3) - 48;
    const d5 = t.charCodeAt(5) - 48, d6 = t.charCodeAt(6) - 48, d8 = t.charCodeAt(8) - 48, d9 = t.charCodeAt(9) - 48;
    const d11 = t.charCodeAt(11) - 48, d12 = t.charCodeAt(12) - 48, d14 = t.charCodeAt(14) - 48, d15 = t.charCodeAt(15) - 48;
    const d17 = t.charCodeAt(17) - 48, d18 = t.charCodeAt(18) - 48, d20 = t.charCodeAt(20) - 48, d21 = t.charCodeAt(21) - 48;
    const lastDigit = t.charCodeAt(22) - 48;
    const century = pair(d0, d1);
    const yy = pair(d2, d3);
    const month = pair(d5, d6);
    const day = pair(d8, d9);
    const hour = pair(d11, d12);
    const minute = pair(d14, d15);
    const second = pair(d17, d18);
    const centis = pair(d20, d21);
    // Date.UTC reads years 0–99 as 1900–1999: those (century 0) go to the parser.
    if (century >= 1 && yy >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && centis >= 0 && lastDigit >= 0 && lastDigit <= 9) {
      const inDay = ((hour * 60 + minute) * 60 + second) * 1000 + centis * 10 + lastDigit;
      // This text is what toISOString writes for its instant: its time of day serves isoOf for instants whole days away.
      clockInDay = inDay;
      clockSource = t;
      clockText = undefined;
      // The day's number: the last date's again (a batch's inputs mostly fall on one day), else computed.
      const date = (century * 100 + yy) * 10_000 + month * 100 + day;
      if (date !== lastDate) {
        lastDate = date;
        lastDays = daysFromCivil(century * 100 + yy, month, day);
      }
      return lastDays * dayMs + inDay;
    }
  }
  return Date.parse(t);
}
/** Two digits as a number, or -1 if either is not a digit (0..9). */
const pair = (a: number, b: number) => (a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1);
/** The last date parseIsoText read (yyyymmdd) and its day number. */
let lastDate = -1;
let lastDays = 0;
/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil; integer arithmetic, quicker than Date.UTC). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

/**
 * new Date(ms).toISOString(), faster for many instants of one day: the date
 * part comes from toISOString once per UTC day and the time of day is
 * formatted here (scoring ticks fall on a different millisecond for every
 * customer), or reused from the last instant of that time of day. Throws like
 * toISOString for an invalid time.
 */
const dayPrefixes = new Map<number, string>();
let lastDay = NaN;
let lastPrefix = "";
export function isoOf(ms: number): string {
  const day = Math.floor(ms / dayMs);
  // A few days in turn (a cap's window start, today, a scoring tick tomorrow): a map, not one remembered day.
  let prefix = day === lastDay ? lastPrefix : dayPrefixes.get(day);
  if (prefix === undefined) {
    const text = new Date(day * dayMs).toISOString();
    prefix = text.slice(0, text.indexOf("T") + 1);
    if (dayPrefixes.size >= 4_096) dayPrefixes.clear();
    dayPrefixes.set(day, prefix);
  }
  lastDay = day;
  lastPrefix = prefix;
  const inDay = ms - day * dayMs;
  if (inDay !== clockInDay) {
    clockInDay = inDay;
    clockText = `${pad2[Math.floor(inDay / 3_600_000)]}:${pad2[Math.floor(inDay / 60_000) % 60]}:${pad2[Math.floor(inDay / 1000) % 60]}.${pad3(inDay % 1000)}Z`;
  }
  return prefix + (clockText ??= clockSource.slice(11));
}

/** "00" to "99" (a lookup instead of a number written as text per field). */
const pad2 = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : `${n}`));
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);
