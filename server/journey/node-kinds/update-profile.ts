import { z } from "zod";
import { defineNodeKind } from "./kind";

export const updateProfileConfigSchema = z
  .object({ set: z.record(z.string().min(1).max(100), z.union([z.string().max(1000), z.number(), z.boolean(), z.null()])).refine((s) => Object.keys(s).length > 0, "Set at least one trait") })
  .strict();
export type UpdateProfileConfig = z.infer<typeof updateProfileConfigSchema>;

export const updateProfileKind = defineNodeKind<UpdateProfileConfig>({
  kind: "update_profile",
  label: "Update profile",
  description: "Set traits on the customer's profile.",
  family: "profile",
  configSchema: updateProfileConfigSchema,
  defaultConfig: { set: { lifecycle: "at_risk" } },
  handles: () => ["next"],
  requiredHandles: () => [],
  summary: (c) => `Set ${Object.entries(c.set).map(([k, v]) => `${k} = ${String(v)}`).join(", ")}`,
  run: (c, rt) => {
    rt.setTraits(c.set);
    return { kind: "go", handle: "next" };
  },
  conditions: () => [],
  onMainPath: true,
});
