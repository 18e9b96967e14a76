import { eq } from "drizzle-orm";
import type { z } from "zod";
import type { Db } from "@/db/client";
import { workspaces } from "@/db/schema";
import { workspaceSettingsSchema, type WorkspaceSettings } from "@/server/journey/schema";

/** The workspace's limits across all journeys (spec "Workspace settings"), read by the runtime for every step. */
export async function getWorkspaceSettings(db: Db, workspaceId: string): Promise<WorkspaceSettings> {
  const row = await db.query.workspaces.findFirst({ where: eq(workspaces.id, workspaceId), columns: { settings: true } });
  const parsed = workspaceSettingsSchema.safeParse(row?.settings ?? {});
  return parsed.success ? parsed.data : workspaceSettingsSchema.parse({});
}

/** Replaces the settings after validating them; the runtime applies them from its next batch. */
export async function saveWorkspaceSettings(db: Db, workspaceId: string, settings: z.input<typeof workspaceSettingsSchema>): Promise<WorkspaceSettings> {
  const valid = workspaceSettingsSchema.parse(settings);
  await db.update(workspaces).set({ settings: valid }).where(eq(workspaces.id, workspaceId));
  return valid;
}
