import type { z } from "zod";
import { conditionPaths, pathRoots, type Condition } from "./conditions";
import { isNodeKind, kindOf, type NodeKind } from "./node-kinds";
import { journeyDocumentSchema, type Issue, type JourneyDocument } from "./schema";

/**
 * validateJourney(anything) → Issue[]. Never throws: imported JSON, a draft
 * half-drawn on the canvas and a document sent to the API all get a list of
 * findings a marketer understands, each pinned to its node or edge.
 * Errors block publishing; warnings do not (a missing edge defaults to exit).
 */
export function validateJourney(input: unknown): Issue[] {
  const parsed = journeyDocumentSchema.safeParse(input);
  if (!parsed.success) return documentIssues(parsed.error, input);
  return graphIssues(parsed.data);
}

function describe(path: PropertyKey[]): string {
  return path.map(String).join(".");
}

function documentIssues(error: z.ZodError, input: unknown): Issue[] {
  const nodes = (typeof input === "object" && input && Array.isArray((input as { nodes?: unknown }).nodes) ? (input as { nodes: unknown[] }).nodes : []) as { id?: unknown }[];
  return error.issues.map((i) => {
    const [root, index] = i.path;
    const nodeId = root === "nodes" && typeof index === "number" && typeof nodes[index]?.id === "string" ? (nodes[index]!.id as string) : undefined;
    const unknownKeys = i.code === "unrecognized_keys" ? ` (${(i as { keys: string[] }).keys.map((k) => `'${k}'`).join(", ")})` : "";
    const where = i.path.length ? `${describe(i.path)}: ` : "";
    return {
      ...(nodeId ? { nodeId } : {}),
      code: i.code === "unrecognized_keys" ? "unknown_field" : "invalid_document",
      severity: "error" as const,
      message: i.code === "unrecognized_keys" ? `${where}unknown field${unknownKeys}` : `${where}${i.message}`,
    };
  });
}

const nodeName = (n: { id: string; kind: string; label?: string }) => `${isNodeKind(n.kind) ? kindOf(n.kind).label : n.kind} '${n.label ?? n.id}'`;

function graphIssues(doc: JourneyDocument): Issue[] {
  const issues: Issue[] = [];
  const error = (code: string, message: string, at: { nodeId?: string; edgeId?: string } = {}) => issues.push({ ...at, code, severity: "error", message });
  const warn = (code: string, message: string, at: { nodeId?: string; edgeId?: string } = {}) => issues.push({ ...at, code, severity: "warning", message });

  const byId = new Map<string, (typeof doc.nodes)[number]>();
  for (const n of doc.nodes) {
    if (byId.has(n.id)) error("duplicate_id", `Two nodes share the id '${n.id}'`, { nodeId: n.id });
    byId.set(n.id, n);
  }

  const configs = new Map<string, unknown>();
  for (const n of doc.nodes) {
    if (!isNodeKind(n.kind)) {
      error("unknown_kind", `Node '${n.id}' has an unknown kind '${n.kind}'`, { nodeId: n.id });
      continue;
    }
    const kind = kindOf(n.kind);
    const res = kind.configSchema.safeParse(n.config);
    if (!res.success) {
      for (const i of res.error.issues) {
        const field = i.path.length ? `${describe(i.path)} ` : "";
        const text = i.code === "unrecognized_keys" ? `has an unknown field ${(i as { keys: string[] }).keys.map((k) => `'${k}'`).join(", ")}` : `${field}${i.message}`.trim();
        const sentence = /^(has|needs) /.test(text) ? `${nodeName(n)} ${text}` : `${nodeName(n)}: ${text}`;
        error(i.code === "unrecognized_keys" ? "unknown_field" : "invalid_config", sentence, { nodeId: n.id });
      }
      continue;
    }
    configs.set(n.id, res.data);
    for (const c of kind.conditions(res.data)) checkCondition(c, n, error);
    if (n.kind === "split") {
      const total = (res.data as { variants: { percent: number }[] }).variants.reduce((s, v) => s + v.percent, 0);
      if (Math.abs(total - 100) > 1e-9) error("split_percent", `${nodeName(n)}: variant percents add up to ${total}, not 100`, { nodeId: n.id });
    }
    if (n.kind === "message") {
      const template = `${(res.data as { template: string; subject?: string }).template} ${(res.data as { subject?: string }).subject ?? ""}`;
      for (const m of template.matchAll(/\{\{\s*([a-zA-Z0-9_]+)[.a-zA-Z0-9_]*\s*\}\}/g)) {
        if (!(pathRoots as readonly string[]).includes(m[1]!)) warn("unknown_variable", `${nodeName(n)}: {{${m[1]}…}} is not a known variable (use traits., event., scores. or context.)`, { nodeId: n.id });
      }
    }
  }

  // Edges: ends exist, handles exist, one edge per handle.
  const outgoing = new Map<string, Map<string, string>>();
  doc.edges.forEach((e) => {
    const edgeId = e.id ?? `${e.from}:${e.handle}->${e.to}`;
    const from = byId.get(e.from);
    const to = byId.get(e.to);
    if (!from) return error("edge_missing_node", `An edge starts at '${e.from}', which does not exist`, { edgeId });
    if (!to) return error("edge_missing_node", `An edge from ${nodeName(from)} goes to '${e.to}', which does not exist`, { edgeId, nodeId: from.id });
    if (isNodeKind(from.kind) && configs.has(from.id)) {
      const handles = kindOf(from.kind).handles(configs.get(from.id));
      if (!handles.includes(e.handle)) {
        error("unknown_handle", `${nodeName(from)} has no '${e.handle}' way out${handles.length ? ` (it has ${handles.join(", ")})` : " (it has no edges)"}`, { edgeId, nodeId: from.id });
        return;
      }
    }
    if (isNodeKind(to.kind) && ["trigger", "negative_trigger", "guardrail"].includes(to.kind)) {
      error("edge_into_entry", `Nothing can lead into ${nodeName(to)}: it is not on the main path`, { edgeId, nodeId: to.id });
    }
    const outs = outgoing.get(e.from) ?? new Map<string, string>();
    if (outs.has(e.handle)) error("duplicate_edge", `${nodeName(from)} has two edges from '${e.handle}'`, { edgeId, nodeId: from.id });
    outs.set(e.handle, e.to);
    outgoing.set(e.from, outs);
  });

  // Handles that should have an edge: a warning, since the default is an exit.
  for (const n of doc.nodes) {
    if (!isNodeKind(n.kind) || !configs.has(n.id)) continue;
    for (const h of kindOf(n.kind).requiredHandles(configs.get(n.id))) {
      if (!outgoing.get(n.id)?.has(h)) {
        warn("missing_edge", `${nodeName(n)} has nothing connected to '${h}': customers who go that way leave the journey`, { nodeId: n.id });
      }
    }
  }

  const triggers = doc.nodes.filter((n) => n.kind === "trigger");
  if (triggers.length === 0) error("no_trigger", "The journey has no trigger: nobody can enter it");

  // Reachability from triggers (and from negative triggers' jump edges).
  const starts = doc.nodes.filter((n) => n.kind === "trigger" || n.kind === "negative_trigger").map((n) => n.id);
  const reached = new Set<string>(starts);
  const queue = [...starts];
  while (queue.length) {
    const id = queue.pop()!;
    for (const to of outgoing.get(id)?.values() ?? []) {
      if (reached.has(to)) continue;
      reached.add(to);
      queue.push(to);
    }
  }
  for (const n of doc.nodes) {
    if (n.kind === "negative_trigger" || n.kind === "guardrail" || reached.has(n.id) || !isNodeKind(n.kind)) continue;
    error("unreachable", `${nodeName(n)} cannot be reached from any trigger`, { nodeId: n.id });
  }

  for (const cycle of instantCycles(doc.nodes, outgoing)) {
    error("instant_cycle", `A loop through ${cycle.map((id) => nodeName(byId.get(id)!)).join(" → ")} has no wait: customers would loop forever`, { nodeId: cycle[0] });
  }
  return issues;
}

function checkCondition(c: Condition | undefined, n: { id: string; kind: string; label?: string }, error: (code: string, message: string, at: { nodeId?: string }) => void) {
  if (!c) return;
  for (const path of conditionPaths(c)) {
    const root = path.split(".")[0]!;
    if (!(pathRoots as readonly string[]).includes(root)) {
      error("unknown_path_root", `${nodeName(n)}: the condition path '${path}' must start with ${pathRoots.join(", ")}`, { nodeId: n.id });
    }
  }
}

/** Cycles that pass through no wait or wait_for_event (Tarjan's strongly connected components). */
function instantCycles(nodes: JourneyDocument["nodes"], outgoing: Map<string, Map<string, string>>): string[][] {
  const waits = new Set(nodes.filter((n) => n.kind === "wait" || n.kind === ("wait_for_event" satisfies NodeKind)).map((n) => n.id));
  const next = (id: string) => (waits.has(id) ? [] : [...(outgoing.get(id)?.values() ?? [])]);
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || next(v).includes(v)) found.push(scc.reverse());
    }
  };
  for (const n of nodes) if (!index.has(n.id)) visit(n.id);
  return found;
}
