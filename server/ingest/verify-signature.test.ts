import { describe, expect, it } from "vitest";
import { signPayload, verifySignature } from "./verify-signature";

describe("webhook signatures", () => {
  const body = '{"type":"track","userId":"u1","event":"x"}';
  const now = 1_800_000_000;

  it("accepts a fresh, correct signature", () => {
    expect(verifySignature("s3cret", body, signPayload("s3cret", body, now - 10), now)).toEqual({ ok: true });
  });

  it("refuses a wrong secret, a changed body, an old or future timestamp, and garbage", () => {
    expect(verifySignature("other", body, signPayload("s3cret", body, now), now).ok).toBe(false);
    expect(verifySignature("s3cret", body + " ", signPayload("s3cret", body, now), now).ok).toBe(false);
    expect(verifySignature("s3cret", body, signPayload("s3cret", body, now - 301), now)).toMatchObject({ ok: false, message: expect.stringContaining("5 minute") });
    expect(verifySignature("s3cret", body, signPayload("s3cret", body, now + 301), now).ok).toBe(false);
    expect(verifySignature("s3cret", body, null, now).ok).toBe(false);
    expect(verifySignature("s3cret", body, "t=abc,v1=zz", now).ok).toBe(false);
  });
});
