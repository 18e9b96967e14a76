import { z } from "zod";
import { handleName } from "./branch";
import { defineNodeKind } from "./kind";

/** Random split, deterministic per (journey, node, customer, seed). Percents sum to 100 (checked by the validator). */
export const splitConfigSchema = z
  .object({ variants: z.array(z.object({ handle: handleName, percent: z.number().min(0).max(100) }).strict()).min(2, "A split needs at least two variants") })
  .strict()
  .refine((c) => new Set(c.variants.map((v) => v.handle)).size === c.variants.length, { message: "Variant handles must be unique" });
export type SplitConfig = z.infer<typeof splitConfigSchema>;

export const splitKind = defineNodeKind<SplitConfig>({
  kind: "split",
  label: "Random split",
  description: "Divide customers at random between paths, by percent.",
  family: "flow",
  configSchema: splitConfigSchema,
  defaultConfig: { variants: [{ handle: "a", percent: 50 }, { handle: "b", percent: 50 }] },
  handles: (c) => c.variants.map((v) => v.handle),
  requiredHandles: (c) => c.variants.map((v) => v.handle),
  summary: (c) => c.variants.map((v) => `${v.handle} ${v.percent}%`).join(" / "),
  run: (c, rt) => {
    const u = rt.unit("split") * 100;
    let acc = 0;
    for (const v of c.variants) {
      acc += v.percent;
      if (u < acc) return { kind: "go", handle: v.handle };
    }
    return { kind: "go", handle: c.variants[c.variants.length - 1]!.handle };
  },
  conditions: () => [],
  onMainPath: true,
});
