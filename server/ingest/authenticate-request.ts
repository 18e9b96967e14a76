import type { Db } from "@/db/client";
import type { ApiKeyScope } from "@/db/schema";
import { authenticateApiKey } from "@/server/workspaces/api-keys";

/**
 * The workspace API key from `Authorization: Bearer <key>`, or Basic auth with
 * the key as user name and an empty password (as Segment sends it). Basic
 * auth with a password is refused with what to send instead: a key put in the
 * password field (user name empty), or a user name and password pasted from
 * elsewhere, would otherwise be checked as a key and fail as "invalid".
 */
export function readApiKey(header: string | null): { key: string } | { error: string } {
  const missing = { error: "Missing API key: send Authorization: Bearer <key>" };
  if (!header) return missing;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!value) return missing;
  if (/^bearer$/i.test(scheme ?? "")) return { key: value };
  if (/^basic$/i.test(scheme ?? "")) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    // (A password of only white space counts as empty: `echo "$KEY:" | base64` encodes a newline after the colon.)
    if (colon !== -1 && decoded.slice(colon + 1).trim() !== "") return { error: "Basic auth takes the API key as the user name and an empty password (<key>:); or send Authorization: Bearer <key>" };
    const key = (colon === -1 ? decoded : decoded.slice(0, colon)).trim();
    return key ? { key } : missing;
  }
  return missing;
}

/** The workspace of the request's API key (its Authorization header), if the key is live and has `scope`. */
export async function authenticateRequest(db: Db, authorization: string | null, scope: ApiKeyScope) {
  const read = readApiKey(authorization);
  if ("error" in read) return { ok: false as const, message: read.error };
  const res = await authenticateApiKey(db, read.key, scope);
  return res.ok ? { ok: true as const, workspaceId: res.value.workspaceId } : { ok: false as const, message: res.message };
}
