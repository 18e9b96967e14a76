import { TZDate } from "@date-fns/tz";
import { addDays, set } from "date-fns";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { localHour, localParts, nextLocalTime, quietUntil } from "./local-time";

/** Reference: the same answer computed with date-fns on a TZDate (slow, but plainly right). */
function reference(at: Date, hour: number, minute: number, tz: string): Date {
  const local = new TZDate(at.getTime(), tz);
  let c = set(local, { hours: hour, minutes: minute, seconds: 0, milliseconds: 0 });
  if (c.getTime() <= at.getTime()) c = set(addDays(local, 1), { hours: hour, minutes: minute, seconds: 0, milliseconds: 0 });
  return new Date(c.getTime());
}

describe("local time", () => {
  it("localHour and localParts are what date-fns/tz gives, in zones with DST, half-hour and negative offsets", () => {
    const zones = ["Europe/Paris", "America/New_York", "Australia/Adelaide", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "UTC"];
    fc.assert(
      fc.property(fc.integer({ min: Date.parse("1969-06-01T00:00:00Z"), max: Date.parse("2027-12-31T00:00:00Z") }), fc.constantFrom(...zones), (ms, tz) => {
        const local = new TZDate(ms, tz);
        expect(localHour(ms, tz)).toBe(local.getHours());
        expect(localParts(new Date(ms), tz)).toEqual({ hour: local.getHours(), minute: local.getMinutes(), dayOfWeek: local.getDay() });
      }),
      { numRuns: 5_000 },
    );
  });

  it("agrees with date-fns/tz for next local times, across DST changes in several zones", () => {
    const zones = ["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"];
    fc.assert(
      fc.property(fc.integer({ min: Date.parse("2026-01-01T00:00:00Z"), max: Date.parse("2027-12-31T00:00:00Z") }), fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45), fc.constantFrom(...zones), (ms, h, m, tz) => {
        // Times inside a spring-forward gap do not exist; skip those (both sides move them forward differently).
        const expected = reference(new Date(ms), h, m, tz);
        const lp = localParts(expected, tz);
        fc.pre(lp.hour === h && lp.minute === m);
        expect(nextLocalTime(new Date(ms), { hour: h, minute: m }, tz).toISOString()).toBe(expected.toISOString());
      }),
      { numRuns: 2000 },
    );
  });

  it("holds quiet hours that wrap midnight until their end, in local time", () => {
    const q = { start: "21:00", end: "08:00" };
    expect(quietUntil(new Date("2026-03-28T22:30:00Z"), q, "Europe/Paris")?.toISOString()).toBe("2026-03-29T06:00:00.000Z");
    expect(quietUntil(new Date("2026-03-28T12:00:00Z"), q, "Europe/Paris")).toBeNull();
    expect(quietUntil(new Date("2026-07-01T06:30:00Z"), q, "Europe/Paris")).toBeNull();
    expect(quietUntil(new Date("2026-07-01T05:00:00Z"), q, "Europe/Paris")?.toISOString()).toBe("2026-07-01T06:00:00.000Z");
  });
});
