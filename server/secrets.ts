import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { devAuthSecret, secretsEnv } from "@/server/env";

/**
 * Secrets the app must read back (event sources' signing secrets, channel
 * webhook secrets and SMTP passwords) are sealed at rest with AES-256-GCM:
 * a database dump or a read-only SQL role does not reveal them. API keys and
 * passwords are different: they are only ever compared, so they are hashed.
 *
 * The key is derived (HKDF-SHA256) from WAYMARK_SECRETS_KEY, else from
 * AUTH_SECRET, else from the local development secret; the web server and the
 * workers must share it. Each sealed value is bound to where it belongs (the
 * `purpose`, e.g. the workspace and the channel) as GCM associated data, so a
 * sealed value copied to another row or workspace does not open.
 *
 * Stored form: `sealed:v1:` + base64url(iv ‖ tag ‖ ciphertext). Values written
 * before sealing existed (plain text) are read as they are.
 */
const prefix = "sealed:v1:";

export class SecretUnreadableError extends Error {
  constructor(purpose: string) {
    super(`A stored secret (${purpose}) cannot be decrypted with this server's key: set the same WAYMARK_SECRETS_KEY (or AUTH_SECRET) on the web server and the workers as when it was saved, or save the secret again.`);
    this.name = "SecretUnreadableError";
  }
}

/** This server's key material: WAYMARK_SECRETS_KEY, else AUTH_SECRET, else the local development secret. */
export function secretsKeyMaterial(): string {
  const e = secretsEnv();
  return e.WAYMARK_SECRETS_KEY ?? e.AUTH_SECRET ?? devAuthSecret;
}

let cachedKey: { material: string; key: Buffer } | undefined;
function key(material: string): Buffer {
  if (cachedKey?.material !== material) cachedKey = { material, key: Buffer.from(hkdfSync("sha256", material, "waymark", "secrets at rest v1", 32)) };
  return cachedKey.key;
}

export function isSealed(value: string): boolean {
  return value.startsWith(prefix);
}

export function sealSecret(plain: string, purpose: string, material = secretsKeyMaterial()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(material), iv);
  cipher.setAAD(Buffer.from(purpose, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return prefix + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64url");
}

/** The plain secret; throws SecretUnreadableError when the key or the purpose differ from the sealing ones. */
export function openSecret(stored: string, purpose: string, material = secretsKeyMaterial()): string {
  if (!isSealed(stored)) return stored;
  const raw = Buffer.from(stored.slice(prefix.length), "base64url");
  if (raw.length < 28) throw new SecretUnreadableError(purpose);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key(material), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(purpose, "utf8"));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretUnreadableError(purpose);
  }
}
