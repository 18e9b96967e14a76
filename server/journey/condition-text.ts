import type { Condition, ConditionOp } from "./conditions";

/**
 * The condition builder's model of the spec's predicate language: a group
 * (all / any of its items) whose items are leaves, `not`, or nested groups;
 * value text typed by people turned into JSON values and back; and a
 * plain-language reading of a condition for the canvas and the inspector.
 */
export type Group = { mode: "all" | "any"; items: Condition[] };

export const opLabels: Record<ConditionOp, string> = {
  eq: "is",
  neq: "is not",
  gt: ">",
  gte: "≥",
  lt: "<",
  lte: "≤",
  in: "is one of",
  not_in: "is none of",
  contains: "contains",
  starts_with: "starts with",
  exists: "is set",
  not_exists: "is not set",
};

export const valueless = (op: ConditionOp) => op === "exists" || op === "not_exists";
export const listOp = (op: ConditionOp) => op === "in" || op === "not_in";

export const isGroup = (c: Condition): c is { all: Condition[] } | { any: Condition[] } => "all" in c || "any" in c;

/** Any condition as a group to edit: a lone leaf (or `not`) becomes the only item of an "all" group. */
export function toGroup(c: Condition | undefined): Group {
  if (!c) return { mode: "all", items: [] };
  if ("all" in c) return { mode: "all", items: c.all };
  if ("any" in c) return { mode: "any", items: c.any };
  return { mode: "all", items: [c] };
}

/** Back to the document: no items is no condition; a single item of an "all" group is written alone. */
export function fromGroup(g: Group): Condition | undefined {
  if (g.items.length === 0) return undefined;
  if (g.items.length === 1 && g.mode === "all") return g.items[0];
  return g.mode === "all" ? { all: g.items } : { any: g.items };
}

/** Text typed in a value box → JSON value: numbers and true/false as such, "quoted" text stays text. */
export function parseValue(text: string): unknown {
  const t = text.trim();
  if (/^".*"$/.test(t)) return t.slice(1, -1);
  if (t === "true") return true;
  if (t === "false") return false;
  if (t !== "" && /^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  return t;
}

/** A comma-separated list for `in` / `not_in`. */
export function parseList(text: string): unknown[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map(parseValue);
}

/** A JSON value → the text that parses back to it. */
export function valueText(v: unknown): string {
  if (Array.isArray(v)) return v.map(valueText).join(", ");
  if (typeof v === "string") return v === "true" || v === "false" || /^-?\d+(\.\d+)?$/.test(v.trim()) ? `"${v}"` : v;
  if (v === undefined || v === null) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

const pathNames: [string, string][] = [
  ["event.properties.", ""],
  ["traits.", ""],
  ["scores.", "score "],
  ["context.hour", "hour of day"],
  ["context.dayOfWeek", "day of week"],
  ["context.channel", "preferred channel"],
  ["event.name", "event name"],
];

/** `event.properties.total` → "total", `scores.churnRisk` → "score churnRisk". */
export function pathLabel(path: string): string {
  for (const [prefix, label] of pathNames) {
    if (prefix.endsWith(".") && path.startsWith(prefix) && path.length > prefix.length) return label + path.slice(prefix.length);
    if (path === prefix) return label;
  }
  return path;
}

const shown = (v: unknown) => (typeof v === "string" ? `"${v}"` : valueText(v));

/** A condition in plain words: `total ≥ 50 and plan is not "enterprise"`. */
export function describeCondition(c: Condition, nested = false): string {
  if (isGroup(c)) {
    const items = "all" in c ? c.all : c.any;
    if (items.length === 0) return "always";
    const text = items.map((i) => describeCondition(i, true)).join("all" in c ? " and " : " or ");
    return nested && items.length > 1 ? `(${text})` : text;
  }
  if ("not" in c) return `not ${isGroup(c.not) ? `(${describeCondition(c.not)})` : describeCondition(c.not, true)}`;
  const name = pathLabel(c.path);
  if (valueless(c.op)) return `${name} ${opLabels[c.op]}`;
  if (listOp(c.op)) return `${name} ${opLabels[c.op]} ${Array.isArray(c.value) ? c.value.map(shown).join(", ") : shown(c.value)}`;
  return `${name} ${opLabels[c.op]} ${shown(c.value)}`;
}

/** Paths offered while typing: the spec's roots with common fields, then the event's own properties. */
export function pathSuggestions(extra: string[] = []): string[] {
  const base = [
    "event.properties.total",
    "event.properties.cartId",
    "event.name",
    "traits.plan",
    "traits.country",
    "traits.email",
    "scores.churnRisk",
    "scores.purchasePropensity",
    "context.hour",
    "context.dayOfWeek",
    "context.channel",
  ];
  return [...new Set([...base, ...extra])];
}
