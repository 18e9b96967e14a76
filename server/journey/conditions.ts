import { z } from "zod";

/**
 * The condition language of spec/journey-format.md ("Conditions"): all / any /
 * not, and leaves `{ path, op, value }`. Compiled once to a predicate.
 */
export const conditionOps = ["eq", "neq", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "starts_with", "exists", "not_exists"] as const;
export type ConditionOp = (typeof conditionOps)[number];
export const pathRoots = ["event", "traits", "scores", "context"] as const;

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { path: string; op: ConditionOp; value?: unknown };

const leafSchema = z
  .object({
    path: z.string().min(1, "A condition needs a path, e.g. event.properties.total"),
    op: z.enum(conditionOps, { message: `op must be one of ${conditionOps.join(", ")}` }),
    value: z.unknown().optional(),
  })
  .strict();

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(conditionSchema) }).strict(),
    z.object({ any: z.array(conditionSchema) }).strict(),
    z.object({ not: conditionSchema }).strict(),
    leafSchema,
  ]),
) as z.ZodType<Condition>;

/** What conditions and templates read: the event being handled, the profile, scores and context values. */
export type ConditionScope = {
  event?: { name: string; properties: Record<string, unknown> };
  traits: Record<string, unknown>;
  scores: Record<string, number>;
  context: { hour: number; dayOfWeek: number; channel?: string };
};

/** Every leaf path in a condition (for validation of path roots). */
export function conditionPaths(c: Condition): string[] {
  if ("all" in c) return c.all.flatMap(conditionPaths);
  if ("any" in c) return c.any.flatMap(conditionPaths);
  if ("not" in c) return conditionPaths(c.not);
  return [c.path];
}

const missing = Symbol("missing");

/** Resolves `event.properties.total` and the like; `event.name` is the event's name. */
export function resolvePath(scope: ConditionScope, path: string): unknown {
  const parts = path.split(".");
  let cur: unknown = scope;
  for (const p of parts) {
    if (cur === null || typeof cur !== "object" || !Object.prototype.hasOwnProperty.call(cur, p)) return missing;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur === undefined ? missing : cur;
}

export function isMissing(v: unknown): boolean {
  return v === missing;
}

function compare(a: unknown, b: unknown): number | null {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  const na = Number(a);
  const nb = Number(b);
  return typeof a !== "boolean" && typeof b !== "boolean" && a !== "" && b !== "" && Number.isFinite(na) && Number.isFinite(nb) ? na - nb : null;
}

function ordered(a: unknown, b: unknown, test: (diff: number) => boolean): boolean {
  const d = compare(a, b);
  return d !== null && test(d);
}

function leafPredicate(leaf: { path: string; op: ConditionOp; value?: unknown }): (scope: ConditionScope) => boolean {
  const { path, op, value } = leaf;
  return (scope) => {
    const v = resolvePath(scope, path);
    if (op === "not_exists") return v === missing || v === null;
    if (v === missing) return false;
    switch (op) {
      case "exists":
        return v !== null;
      case "eq":
        return v === value || compare(v, value) === 0;
      case "neq":
        return !(v === value || compare(v, value) === 0);
      case "gt":
        return ordered(v, value, (d) => d > 0);
      case "gte":
        return ordered(v, value, (d) => d >= 0);
      case "lt":
        return ordered(v, value, (d) => d < 0);
      case "lte":
        return ordered(v, value, (d) => d <= 0);
      case "in":
        return Array.isArray(value) && value.some((x) => x === v || compare(x, v) === 0);
      case "not_in":
        return Array.isArray(value) && !value.some((x) => x === v || compare(x, v) === 0);
      case "contains":
        return Array.isArray(v) ? v.includes(value) : typeof v === "string" && typeof value === "string" && v.includes(value);
      case "starts_with":
        return typeof v === "string" && typeof value === "string" && v.startsWith(value);
      default:
        return assertNever(op);
    }
  };
}

export type Predicate = (scope: ConditionScope) => boolean;

/** Compiles a condition once into a predicate (no per-event parsing). */
export function compileCondition(c: Condition | undefined): Predicate {
  if (!c) return () => true;
  if ("all" in c) {
    const parts = c.all.map(compileCondition);
    return (s) => parts.every((p) => p(s));
  }
  if ("any" in c) {
    const parts = c.any.map(compileCondition);
    return (s) => parts.some((p) => p(s));
  }
  if ("not" in c) {
    const inner = compileCondition(c.not);
    return (s) => !inner(s);
  }
  return leafPredicate(c);
}

/** `{{traits.firstName}}`, `{{event.properties.x}}`; a missing value renders as empty text. */
export function renderTemplate(template: string, scope: ConditionScope): string {
  return template.replace(/\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}/g, (_, path: string) => {
    const v = resolvePath(scope, path);
    return v === missing || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  });
}

export function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(x)}`);
}
