import { describe, expect, it } from "vitest";
import { isSealed, openSecret, sealSecret, SecretUnreadableError } from "./secrets";

const keyA = "a-secrets-key-of-at-least-32-characters-aaaa";
const keyB = "a-secrets-key-of-at-least-32-characters-bbbb";

describe("secrets sealed at rest", () => {
  it("opens what it sealed, and the sealed form does not contain the secret", () => {
    const sealed = sealSecret("whsec_top-secret", "channel:w1:webhook:secret", keyA);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain("top-secret");
    expect(openSecret(sealed, "channel:w1:webhook:secret", keyA)).toBe("whsec_top-secret");
    // A fresh IV each time: the same secret never seals to the same text.
    expect(sealSecret("whsec_top-secret", "channel:w1:webhook:secret", keyA)).not.toBe(sealed);
  });

  it("does not open under another key, for another place, or after tampering", () => {
    const sealed = sealSecret("pw", "channel:w1:email:pass", keyA);
    expect(() => openSecret(sealed, "channel:w1:email:pass", keyB)).toThrow(SecretUnreadableError);
    expect(() => openSecret(sealed, "channel:w2:email:pass", keyA)).toThrow(/cannot be decrypted/);
    const raw = Buffer.from(sealed.slice("sealed:v1:".length), "base64url");
    raw[raw.length - 1]! ^= 1;
    expect(() => openSecret(`sealed:v1:${raw.toString("base64url")}`, "channel:w1:email:pass", keyA)).toThrow(SecretUnreadableError);
    expect(() => openSecret("sealed:v1:AAAA", "channel:w1:email:pass", keyA)).toThrow(SecretUnreadableError);
  });

  it("reads a value stored before sealing existed as it is", () => {
    expect(isSealed("whsec_plain")).toBe(false);
    expect(openSecret("whsec_plain", "event-source:w1:shop", keyA)).toBe("whsec_plain");
  });
});
