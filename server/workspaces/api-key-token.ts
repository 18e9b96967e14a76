import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** API keys look like `wm_<40 url-safe chars>`; only their sha256 is stored. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = `wm_${randomBytes(30).toString("base64url")}`;
  return { key, prefix: key.slice(0, 11), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Constant-time comparison of a presented key with a stored hash. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKey(key), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
