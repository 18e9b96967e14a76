import type { Edge, Node } from "@xyflow/react";
import { isNodeKind, nodeKinds, type Issue, type NodeKind } from "@/server/journey";

/** What a canvas node carries: the document node's kind, config and label, plus its validation issues. */
/** `stats`: the analytics overlay's figures for the node (customers who passed it, and their share of entrants). */
export type JourneyNodeData = { kind: string; config: Record<string, unknown>; label?: string; issues: Issue[]; readOnly: boolean; lit?: boolean; stats?: { passed: number; share: number | null } };
export type JourneyFlowNode = Node<JourneyNodeData, "journey">;

type DocNode = { id: string; kind: string; config?: Record<string, unknown>; position?: { x: number; y: number }; label?: string };
type DocEdge = { id?: string; from: string; to: string; handle?: string };
export type Draft = Record<string, unknown> & { nodes?: DocNode[]; edges?: DocEdge[] };

export const edgeId = (from: string, handle: string, to: string) => `${from}:${handle}->${to}`;

/** Document → React Flow nodes and edges (positions default to a grid when missing). */
export function toFlow(draft: Draft, readOnly: boolean): { nodes: JourneyFlowNode[]; edges: Edge[] } {
  const nodes = (Array.isArray(draft.nodes) ? draft.nodes : []).map((n, i) => ({
    id: n.id,
    type: "journey" as const,
    position: n.position ?? { x: (i % 6) * 260, y: Math.floor(i / 6) * 160 },
    data: { kind: n.kind, config: n.config ?? {}, label: n.label, issues: [], readOnly },
  }));
  const edges = (Array.isArray(draft.edges) ? draft.edges : []).map((e) => ({
    id: e.id ?? edgeId(e.from, e.handle ?? "next", e.to),
    source: e.from,
    target: e.to,
    sourceHandle: e.handle ?? "next",
  }));
  return { nodes, edges };
}

/** React Flow state → document (settings and everything else kept from the draft). */
export function toDocument(draft: Draft, nodes: JourneyFlowNode[], edges: Edge[]): Draft {
  return {
    ...draft,
    nodes: nodes.map((n) => ({
      id: n.id,
      kind: n.data.kind,
      config: n.data.config,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
      ...(n.data.label ? { label: n.data.label } : {}),
    })),
    edges: edges.map((e) => ({ from: e.source, to: e.target, handle: e.sourceHandle ?? "next" })),
  };
}

/** Labelled ways out of a node, from the registry (branch cases, split variants with %, decision options). */
export function handleLabels(kind: string, config: Record<string, unknown>): { handle: string; label: string }[] {
  if (!isNodeKind(kind)) return [];
  let handles: string[] = [];
  try {
    const parsed = nodeKinds[kind].configSchema.safeParse(config);
    handles = parsed.success ? (nodeKinds[kind].handles as (c: unknown) => string[])(parsed.data) : [];
  } catch {
    handles = [];
  }
  const c = config as { cases?: { handle: string; label?: string }[]; variants?: { handle: string; percent: number }[]; options?: { handle: string; label?: string }[] };
  return handles.map((h) => {
    const kase = c.cases?.find((x) => x.handle === h);
    const variant = c.variants?.find((x) => x.handle === h);
    const option = c.options?.find((x) => x.handle === h);
    return { handle: h, label: kase?.label ?? (variant ? `${h} · ${variant.percent}%` : (option?.label ?? h)) };
  });
}

/** A fresh id for a new node of `kind` ("wait_2"). */
export function nextNodeId(kind: NodeKind, taken: Set<string>): string {
  const base = kind === "negative_trigger" ? "negative" : kind;
  for (let i = 1; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}
