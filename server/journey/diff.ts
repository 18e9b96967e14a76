import { formatDuration } from "./durations";
import { journeySettingsSchema } from "./schema";
import { isNodeKind, nodeKinds } from "./node-kinds";

/**
 * What changed between two journey documents (a version or the draft against
 * the live version), in words a marketer reads: steps added, removed or
 * changed (with the step's summary before and after), connections, settings
 * and the name. Positions are the canvas's and never count as a change.
 * Pure; takes documents as stored, valid or not.
 */
export type JourneyChange = {
  area: "journey" | "settings" | "step" | "connection";
  change: "added" | "removed" | "changed";
  target: string;
  detail: string;
};

type LooseNode = { id: string; kind: string; label?: string; config?: Record<string, unknown> };
type LooseEdge = { from: string; to: string; handle?: string };
type LooseDocument = { name?: unknown; settings?: unknown; nodes?: unknown; edges?: unknown };

const nodesOf = (d: LooseDocument) => (Array.isArray(d.nodes) ? (d.nodes as LooseNode[]).filter((n) => n && typeof n.id === "string") : []);
const edgesOf = (d: LooseDocument) => (Array.isArray(d.edges) ? (d.edges as LooseEdge[]).filter((e) => e && typeof e.from === "string" && typeof e.to === "string") : []);
const edgeKey = (e: LooseEdge) => `${e.from} → ${e.to}${(e.handle ?? "next") === "next" ? "" : ` (${e.handle})`}`;

const short = (v: unknown) => {
  const t = v === undefined ? "none" : typeof v === "string" ? v : JSON.stringify(v);
  return t.length > 80 ? `${t.slice(0, 77)}…` : t;
};
const same = (a: unknown, b: unknown) => stable(a) === stable(b);
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
  if (v && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "undefined";
}

/** A setting's value in words: durations as "7 d", the goal as "order_completed within 7 d". */
function settingText(key: string, v: unknown): string {
  if (v === undefined) return "none";
  if (key === "reentryCooldown" && typeof v === "string") return formatDuration(v);
  if (key === "holdoutPercent" && typeof v === "number") return `${v}%`;
  if (key === "goal" && v && typeof v === "object") {
    const g = v as { event?: unknown; within?: unknown; exitOnGoal?: unknown };
    return `${String(g.event)} within ${typeof g.within === "string" ? formatDuration(g.within) : "?"}${g.exitOnGoal === false ? ", customers stay" : ", customers leave"}`;
  }
  return short(v);
}

/** A step in words: "Wait · Wait 3 h", or its kind when its settings do not parse. */
export function describeStep(n: LooseNode): string {
  if (!isNodeKind(n.kind)) return n.kind;
  const kind = nodeKinds[n.kind];
  const parsed = kind.configSchema.safeParse(n.config ?? {});
  return parsed.success ? `${kind.label} · ${(kind.summary as (c: unknown) => string)(parsed.data)}` : kind.label;
}

function settingsOf(d: LooseDocument): Record<string, unknown> {
  const parsed = journeySettingsSchema.safeParse(d.settings ?? {});
  return parsed.success ? (parsed.data as Record<string, unknown>) : ((d.settings as Record<string, unknown>) ?? {});
}

export function diffJourneys(from: LooseDocument, to: LooseDocument): JourneyChange[] {
  const changes: JourneyChange[] = [];
  if (typeof from.name === "string" && typeof to.name === "string" && from.name !== to.name) changes.push({ area: "journey", change: "changed", target: "name", detail: `${from.name} → ${to.name}` });

  const [a, b] = [settingsOf(from), settingsOf(to)];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
    if (same(a[key], b[key])) continue;
    const change = a[key] === undefined ? "added" : b[key] === undefined ? "removed" : "changed";
    changes.push({ area: "settings", change, target: key, detail: `${settingText(key, a[key])} → ${settingText(key, b[key])}` });
  }

  const before = new Map(nodesOf(from).map((n) => [n.id, n]));
  const after = new Map(nodesOf(to).map((n) => [n.id, n]));
  for (const [id, n] of after) {
    const old = before.get(id);
    if (!old) {
      changes.push({ area: "step", change: "added", target: id, detail: describeStep(n) });
      continue;
    }
    const parts: string[] = [];
    if (old.kind !== n.kind) parts.push(`kind ${old.kind} → ${n.kind}`);
    if ((old.label ?? "") !== (n.label ?? "")) parts.push(`label ${short(old.label ?? "")} → ${short(n.label ?? "")}`);
    if (!same(old.config ?? {}, n.config ?? {})) {
      const [was, now] = [describeStep(old), describeStep(n)];
      if (was !== now) parts.push(`${was} → ${now}`);
      else {
        const [oc, nc] = [old.config ?? {}, n.config ?? {}];
        for (const key of [...new Set([...Object.keys(oc), ...Object.keys(nc)])]) if (!same(oc[key], nc[key])) parts.push(`${key}: ${short(oc[key])} → ${short(nc[key])}`);
      }
    }
    if (parts.length) changes.push({ area: "step", change: "changed", target: id, detail: parts.join("; ") });
  }
  for (const [id, n] of before) if (!after.has(id)) changes.push({ area: "step", change: "removed", target: id, detail: describeStep(n) });

  const oldEdges = new Set(edgesOf(from).map(edgeKey));
  const newEdges = new Set(edgesOf(to).map(edgeKey));
  for (const e of newEdges) if (!oldEdges.has(e)) changes.push({ area: "connection", change: "added", target: e, detail: e });
  for (const e of oldEdges) if (!newEdges.has(e)) changes.push({ area: "connection", change: "removed", target: e, detail: e });
  return changes;
}
