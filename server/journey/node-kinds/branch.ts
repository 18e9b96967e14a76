import { z } from "zod";
import { compileCondition, conditionSchema, type Predicate } from "../conditions";
import { defineNodeKind, type NodeOutcome } from "./kind";

const handleName = z.string().min(1).max(50).regex(/^[A-Za-z0-9_-]+$/, "Handles use letters, digits, - and _");

export const branchConfigSchema = z
  .object({ cases: z.array(z.object({ handle: handleName, label: z.string().max(100).optional(), when: conditionSchema }).strict()).min(1, "A branch needs at least one case") })
  .strict()
  .refine((c) => new Set(c.cases.map((x) => x.handle)).size === c.cases.length && !c.cases.some((x) => x.handle === "else"), {
    message: "Case handles must be unique and not 'else'",
  });
export type BranchConfig = z.infer<typeof branchConfigSchema>;

/** "Go on through `else`": shared, as goNext is (outcomes are read, never changed). */
const goElse: NodeOutcome = Object.freeze({ kind: "go", handle: "else" });

type PreparedCase = { when: Predicate; go: NodeOutcome };

export const branchKind = defineNodeKind<BranchConfig>({
  kind: "branch",
  label: "Branch",
  description: "Send customers down the first path whose condition matches, else 'else'.",
  family: "flow",
  configSchema: branchConfigSchema,
  defaultConfig: { cases: [{ handle: "yes", when: { path: "event.properties.total", op: "gte", value: 50 } }] },
  handles: (c) => [...c.cases.map((x) => x.handle), "else"],
  requiredHandles: (c) => [...c.cases.map((x) => x.handle), "else"],
  summary: (c) => `${c.cases.length} case${c.cases.length === 1 ? "" : "s"}: ${c.cases.map((x) => x.label ?? x.handle).join(", ")} / else`,
  // Each case's condition compiled, and its outcome made, once per compiled journey (not looked up per customer).
  prepare: (c): PreparedCase[] => c.cases.map((x) => ({ when: compileCondition(x.when), go: Object.freeze({ kind: "go", handle: x.handle }) })),
  run: (_c, rt, cases: PreparedCase[]) => {
    // A loop, not cases.find with a closure: this runs for every customer who passes the branch.
    for (const x of cases) if (x.when(rt.scope)) return x.go;
    return goElse;
  },
  conditions: (c) => c.cases.map((x) => x.when),
  onMainPath: true,
});

export { handleName };
