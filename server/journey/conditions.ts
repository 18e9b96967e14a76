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
  return resolveParts(scope, path.split("."));
}

/** resolvePath with the path already split (compiled conditions and templates split once). */
export function resolveParts(scope: ConditionScope, parts: readonly string[]): unknown {
  let cur: unknown = scope;
  for (const p of parts) {
    if (cur === null || typeof cur !== "object" || !Object.prototype.hasOwnProperty.call(cur, p)) return missing;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur === undefined ? missing : cur;
}

/**
 * A path split once, with, for each name, whether no object or array inherits it (`inherited`: "toString", "map",
 * "length" and the like). For a name none inherits, reading it gives the object's own value or undefined, so the
 * own-property check (a third of a path's cost, per name, on every condition and template of every step) is skipped:
 * resolveCompiled answers exactly what resolveParts does. Scopes hold only plain objects and arrays: JSON data and
 * the engine's own objects (traits are merged with mergeOwn, which never replaces a prototype).
 */
export type CompiledPath = { parts: readonly string[]; inherited: readonly boolean[]; root: PathRoot };
/**
 * Where most paths start, read by name (a load the scope's and the event's few shapes keep quick) rather than by the
 * loop's keyed load, which every path's every name shares: `event.properties.…` and `traits.…`.
 */
const enum PathRoot {
  Scope,
  EventProperties,
  Traits,
}
export function compilePath(path: string): CompiledPath {
  const parts = path.split(".");
  const root = parts.length > 2 && parts[0] === "event" && parts[1] === "properties" ? PathRoot.EventProperties : parts.length > 1 && parts[0] === "traits" ? PathRoot.Traits : PathRoot.Scope;
  return { parts, inherited: parts.map((p) => p in Object.prototype || p in Array.prototype), root };
}
export function resolveCompiled(scope: ConditionScope, path: CompiledPath): unknown {
  const { parts, inherited } = path;
  let cur: unknown = scope;
  let from = 0;
  if (path.root === PathRoot.EventProperties) {
    const event: unknown = scope.event;
    if (event === null || typeof event !== "object") return missing;
    cur = (event as { properties?: unknown }).properties;
    from = 2;
  } else if (path.root === PathRoot.Traits) {
    cur = scope.traits;
    from = 1;
  }
  for (let i = from; i < parts.length; i++) {
    const p = parts[i]!;
    if (cur === null || typeof cur !== "object" || (inherited[i] && !Object.prototype.hasOwnProperty.call(cur, p))) return missing;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur === undefined ? missing : cur;
}

export function isMissing(v: unknown): boolean {
  return v === missing;
}

/**
 * Number(x), but NaN where JSON data cannot be made a primitive: an object
 * whose `toString` and `valueOf` are not functions (`{"toString": 1}`, or an
 * array holding one) makes Number throw. Events carry whatever their senders
 * put in them, so a condition on such a value is false, as for any value that
 * is not a number, instead of an error that would stop the customer's inputs.
 */
function toNumber(x: unknown): number {
  if (typeof x !== "object" || x === null) return Number(x);
  try {
    return Number(x);
  } catch {
    return NaN;
  }
}

/**
 * A value as text, for instance keys: String(v), or its JSON where String
 * throws (see toNumber), so that such a key is still a key.
 */
export function textOf(v: unknown): string {
  if (typeof v !== "object" || v === null) return String(v);
  try {
    return String(v);
  } catch {
    return JSON.stringify(v);
  }
}

function compare(a: unknown, b: unknown): number | null {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  const na = toNumber(a);
  const nb = toNumber(b);
  return typeof a !== "boolean" && typeof b !== "boolean" && a !== "" && b !== "" && Number.isFinite(na) && Number.isFinite(nb) ? na - nb : null;
}

function leafPredicate(leaf: { path: string; op: ConditionOp; value?: unknown }): (scope: ConditionScope) => boolean {
  const { path, op, value } = leaf;
  const compiled = compilePath(path);
  return (scope) => {
    const v = resolveCompiled(scope, compiled);
    if (op === "not_exists") return v === missing || v === null;
    if (v === missing) return false;
    switch (op) {
      case "exists":
        return v !== null;
      case "eq":
        return v === value || compare(v, value) === 0;
      case "neq":
        return !(v === value || compare(v, value) === 0);
      // compare() is null when the two cannot be ordered: every comparison is then false.
      case "gt": {
        const d = compare(v, value);
        return d !== null && d > 0;
      }
      case "gte": {
        const d = compare(v, value);
        return d !== null && d >= 0;
      }
      case "lt": {
        const d = compare(v, value);
        return d !== null && d < 0;
      }
      case "lte": {
        const d = compare(v, value);
        return d !== null && d <= 0;
      }
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
    return (s) => {
      for (const p of parts) if (!p(s)) return false;
      return true;
    };
  }
  if ("any" in c) {
    const parts = c.any.map(compileCondition);
    return (s) => {
      for (const p of parts) if (p(s)) return true;
      return false;
    };
  }
  if ("not" in c) {
    const inner = compileCondition(c.not);
    return (s) => !inner(s);
  }
  return leafPredicate(c);
}

/** A template split once into its text (even indexes) and its paths (odd indexes, compiled). */
type CompiledTemplate = (string | CompiledPath)[];
const templates = new Map<string, CompiledTemplate>();
/** The last template compiled or looked up (a message node renders the same text for customer after customer). */
let lastTemplate = "";
let lastCompiled: CompiledTemplate = [""];
function compileTemplate(template: string): CompiledTemplate {
  if (template === lastTemplate) return lastCompiled;
  let t = templates.get(template);
  if (!t) {
    t = template.split(/\{\{\s*([a-zA-Z0-9_.]+)\s*\}\}/).map((part, i) => (i % 2 === 1 ? compilePath(part) : part));
    if (templates.size > 10_000) templates.clear();
    templates.set(template, t);
  }
  lastTemplate = template;
  lastCompiled = t;
  return t;
}

/** `{{traits.firstName}}`, `{{event.properties.x}}`; a missing value renders as empty text. */
export function renderTemplate(template: string, scope: ConditionScope): string {
  const parts = compileTemplate(template);
  if (parts.length === 1) return template;
  let out = "";
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (typeof part === "string") {
      out += part;
      continue;
    }
    const v = resolveCompiled(scope, part);
    out += v === missing || v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  return out;
}

export function assertNever(x: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(x)}`);
}
