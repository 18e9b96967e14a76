import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { add } from "date-fns";
import { TZDate } from "@date-fns/tz";
import { addDuration, addLocalDays, parseDuration } from "./durations";

/** What date-fns gives: `add` on a TZDate (the reference the fast path must agree with). */
const reference = (ms: number, days: number, tz: string) => add(new TZDate(ms, tz), { days }).getTime();

const zones = ["UTC", "Europe/Paris", "America/New_York", "America/Sao_Paulo", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Apia", "Pacific/Chatham", "America/St_Johns", "Africa/Casablanca", "Asia/Tehran"];
const from = Date.UTC(1995, 0, 1);
const to = Date.UTC(2040, 0, 1);

describe("addDuration in local days", () => {
  it("agrees with date-fns on a TZDate, across zones, years and DST changes", () => {
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), fc.integer({ min: 0, max: 400 }), fc.constantFrom(...zones), (ms, days, tz) => {
        expect(addDuration(new Date(ms), { days }, tz).getTime()).toBe(reference(ms, days, tz));
      }),
      { numRuns: 3000 },
    );
  });

  it("agrees with date-fns next to every offset change (the fast path steps aside there)", () => {
    for (const tz of ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia"]) {
      // Instants from a minute to two days before and after the changes of 2011 (Apia skipped 30 December) and 2026.
      const changes = [Date.UTC(2011, 2, 13, 7), Date.UTC(2011, 11, 30, 10), Date.UTC(2026, 2, 29, 1), Date.UTC(2026, 9, 25, 1), Date.UTC(2026, 3, 5, 15), Date.UTC(2026, 9, 4, 16)];
      for (const c of changes)
        for (const delta of [-2 * 86_400_000, -86_400_000 - 1_800_000, -86_400_000, -86_399_999, -3_600_000, -60_000, 0, 60_000, 1_800_000, 3_600_000, 86_400_000, 86_400_000 + 1_800_000])
          for (const days of [1, 2, 7])
            for (const at of [c + delta, c + delta - days * 86_400_000]) expect(addDuration(new Date(at), { days }, tz).getTime(), `${tz} ${new Date(at).toISOString()} +${days}d`).toBe(reference(at, days, tz));
    }
  });

  it("takes the fast path away from offset changes, and steps aside next to one", () => {
    const june = Date.UTC(2026, 5, 10, 8, 30);
    expect(addLocalDays(june, 3, "Europe/Paris")).toBe(june + 3 * 86_400_000);
    // Across the autumn change: the same wall-clock time is an hour later in UTC terms.
    const october = Date.UTC(2026, 9, 20, 8, 30);
    expect(addLocalDays(october, 10, "Europe/Paris")).toBe(october + 10 * 86_400_000 + 3_600_000);
    // 02:30 on 29 March 2026 does not exist in Paris: date-fns decides.
    const beforeGap = Date.UTC(2026, 2, 28, 1, 30); // 02:30 local on the 28th
    expect(addLocalDays(beforeGap, 1, "Europe/Paris")).toBeNull();
    expect(addDuration(new Date(beforeGap), { days: 1 }, "Europe/Paris").getTime()).toBe(reference(beforeGap, 1, "Europe/Paris"));
  });

  it("weeks, days and the exact part together; months and years through date-fns", () => {
    const at = new Date(Date.UTC(2026, 0, 31, 9));
    expect(addDuration(at, parseDuration("P1W2DT3H")!, "Europe/Paris").toISOString()).toBe("2026-02-09T12:00:00.000Z");
    expect(addDuration(at, parseDuration("P1M")!, "Europe/Paris").toISOString()).toBe("2026-02-28T09:00:00.000Z");
    expect(addDuration(at, parseDuration("PT90M")!).toISOString()).toBe("2026-01-31T10:30:00.000Z");
  });
});
