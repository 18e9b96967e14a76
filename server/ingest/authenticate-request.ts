import type { Db } from "@/db/client";
import type { ApiKeyScope } from "@/db/schema";
import { authenticateApiKey } from "@/server/workspaces/api-keys";

/**
 * The workspace API key from `Authorization: Bearer <key>`, or Basic auth with
 * the key as user name and an empty password (as Segment sends it).
 */
export function readApiKey(header: string | null): string | null {
  if (!header) return null;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!value) return null;
  if (/^bearer$/i.test(scheme ?? "")) return value;
  if (/^basic$/i.test(scheme ?? "")) {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon === -1 ? decoded : decoded.slice(0, colon);
  }
  return null;
}

/** The workspace of the request's API key (its Authorization header), if the key is live and has `scope`. */
export async function authenticateRequest(db: Db, authorization: string | null, scope: ApiKeyScope) {
  const key = readApiKey(authorization);
  if (!key) return { ok: false as const, message: "Missing API key: send Authorization: Bearer <key>" };
  const res = await authenticateApiKey(db, key, scope);
  return res.ok ? { ok: true as const, workspaceId: res.value.workspaceId } : { ok: false as const, message: res.message };
}
