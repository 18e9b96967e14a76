import { createHmac, timingSafeEqual } from "node:crypto";

export const signatureToleranceSeconds = 300;

/** `X-Waymark-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
export function signPayload(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

export function verifySignature(
  secret: string,
  body: string,
  header: string | null,
  nowSeconds: number,
): { ok: true } | { ok: false; message: string } {
  if (!header) return { ok: false, message: "Missing X-Waymark-Signature" };
  const parts = new Map(header.split(",").map((p) => p.trim().split("=", 2) as [string, string]));
  const t = Number(parts.get("t"));
  const v1 = parts.get("v1") ?? "";
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return { ok: false, message: "Malformed X-Waymark-Signature" };
  if (Math.abs(nowSeconds - t) > signatureToleranceSeconds) return { ok: false, message: "Signature timestamp is outside the 5 minute window" };
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(v1, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, message: "Signature does not match" };
  return { ok: true };
}
