import type { Db } from "@/db/client";
import { auditLog } from "@/db/schema";

export type AuditEntry = { workspaceId: string; actorId: string | null; action: string; target?: string; detail?: string };

/** Appends one line to the workspace's audit log ("who did what"). */
export async function recordAudit(db: Pick<Db, "insert">, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({ ...entry, target: entry.target ?? "", detail: entry.detail ?? "" });
}
