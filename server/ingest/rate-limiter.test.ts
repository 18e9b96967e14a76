import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limiter";

describe("RateLimiter", () => {
  it("allows a burst, refuses beyond it with a Retry-After, and refills over time", () => {
    let now = 0;
    const limiter = new RateLimiter(10, 20, () => now);
    expect(limiter.take("w", 20)).toEqual({ ok: true });
    expect(limiter.take("w", 5)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take("other", 5)).toEqual({ ok: true });
    now = 1000;
    expect(limiter.take("w", 10)).toEqual({ ok: true });
    expect(limiter.take("w", 1)).toMatchObject({ ok: false });
    expect(limiter.take("w", 21)).toEqual({ ok: false, retryAfterSeconds: 3 });
  });
});
