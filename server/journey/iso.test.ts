import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isCanonicalIso, isoOf, parseIso } from "./iso";

const maxMs = 8.64e15; // the Date range

describe("iso", () => {
  it("isoOf writes what toISOString writes, for any instant in Date's range", () => {
    fc.assert(fc.property(fc.oneof(fc.double({ min: -maxMs, max: maxMs, noNaN: true }).map(Math.floor), fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }).map((s) => s * 1000 + (s % 1000))), (ms) => {
        expect(isoOf(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
    for (const ms of [0, -1, 1, 86_399_999, 86_400_000, -86_400_000, -86_400_001, Date.parse("2026-03-29T01:00:00.000Z"), 253402300799999, 253402300800000, -62167219200001]) {
      expect(isoOf(ms)).toBe(new Date(ms).toISOString());
    }
    expect(() => isoOf(NaN)).toThrow(RangeError);
  });

  it("isoOf writes what toISOString writes for instants a whole number of days (or not) from the last text parseIso read", () => {
    // isoOf reuses the time of day of canonical text parseIso read: only for an instant with the same time of day.
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(100, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), fc.integer({ min: -400, max: 400 }), fc.constantFrom(0, 0, 1, -1, 999, 3_600_000), fc.boolean(), (ms, days, off, canonical) => {
        const text = new Date(ms).toISOString();
        parseIso(canonical ? text : text.replace(/\.\d{3}Z$/, "Z"));
        const at = ms + days * 86_400_000 + off;
        expect(isoOf(at)).toBe(new Date(at).toISOString());
        expect(isoOf(ms)).toBe(text);
      }),
      { numRuns: 20_000 },
    );
  });

  it("parseIso agrees with Date.parse, and isCanonicalIso is true only for text toISOString writes back unchanged", () => {
    for (const t of ["0050-01-01T00:00:00.000Z", "2026-02-29T10:00:00.000Z", "2026-06-01T10:00:00.000Z", "2026-02-30T00:00:00.000Z", "2026-01-01T24:00:00.000Z", "2026/01/01T10:00:00.000Z", "2026-01-01T10:00:00.000+00:00", "2026-01-01T10:00:00Z", "2026-13-01T00:00:00.000Z", "2026-01-01 10:00:00.000Z"]) {
      const ms = Date.parse(t);
      expect(parseIso(t)).toBe(ms);
      if (isCanonicalIso(t, ms)) expect(new Date(ms).toISOString()).toBe(t);
    }
    // Every instant toISOString writes in years 0100–9999 reads back exactly (the arithmetic path, leap years and centuries included).
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(100, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        expect(parseIso(new Date(ms).toISOString())).toBe(ms);
      }),
      { numRuns: 20_000 },
    );
    for (const t of ["2000-02-28T23:59:59.999Z", "1900-02-28T12:00:00.000Z", "2024-02-28T00:00:00.001Z", "0100-01-01T00:00:00.000Z", "1969-12-28T23:59:59.999Z", "9999-12-28T23:59:59.999Z"]) expect(parseIso(t)).toBe(Date.parse(t));
    expect(isCanonicalIso("2026-02-30T00:00:00.000Z", Date.parse("2026-02-30T00:00:00.000Z"))).toBe(false);
    expect(isCanonicalIso("2026-06-01T10:00:00.000Z", Date.parse("2026-06-01T10:00:00.000Z"))).toBe(true);
    // Any text of the right length: whenever it says canonical, the round trip agrees.
    const digit = fc.constantFrom(..."0123456789");
    const text = fc.tuple(fc.array(digit, { minLength: 4, maxLength: 4 }), fc.array(digit, { minLength: 2, maxLength: 2 }), fc.array(digit, { minLength: 2, maxLength: 2 }), fc.array(digit, { minLength: 2, maxLength: 2 }), fc.array(digit, { minLength: 2, maxLength: 2 }), fc.array(digit, { minLength: 2, maxLength: 2 }), fc.array(digit, { minLength: 3, maxLength: 3 })).map(([y, mo, d, h, mi, s, ms]) => `${y.join("")}-${mo.join("")}-${d.join("")}T${h.join("")}:${mi.join("")}:${s.join("")}.${ms.join("")}Z`);
    const agreesWithDateParse = (t: string) => {
      const ms = Date.parse(t);
      expect(parseIso(t)).toBe(ms);
      if (isCanonicalIso(t, ms)) expect(new Date(ms).toISOString()).toBe(t);
    };
    fc.assert(fc.property(text, agreesWithDateParse), { numRuns: 20_000 });
    // Texts of a few dates in turn (parseIso remembers the last date it read), any time digits.
    const ofFewDates = fc.tuple(fc.constantFrom("2026-06-01", "2026-06-02", "0099-01-01", "2024-02-28", "2026-02-30"), text).map(([date, t]) => `${date}${t.slice(10)}`);
    fc.assert(fc.property(ofFewDates, agreesWithDateParse), { numRuns: 20_000 });
  });
});
