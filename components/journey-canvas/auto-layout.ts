import { Graph, layout } from "@dagrejs/dagre";

export type LayoutNode = { id: string; width: number; height: number; offPath?: boolean };

/**
 * Tidy positions for a journey, left to right by dagre (a well-kept layered
 * layout): each step right of the ones leading to it, branches fanned out,
 * crossings kept few. Steps with no edges that are not on the main path
 * (negative triggers, guardrails) go in a row under everything else, where they
 * read as journey-wide rules. Returns top-left positions, as React Flow wants.
 */
export function layoutJourney(nodes: LayoutNode[], edges: { source: string; target: string }[]): Map<string, { x: number; y: number }> {
  const connected = new Set(edges.flatMap((e) => [e.source, e.target]));
  const aside = nodes.filter((n) => n.offPath && !connected.has(n.id));
  const main = nodes.filter((n) => !aside.includes(n));
  const g = new Graph();
  g.setGraph({ rankdir: "LR", nodesep: 40, ranksep: 90, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of main) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  layout(g);
  const out = new Map<string, { x: number; y: number }>();
  let bottom = 0;
  for (const n of main) {
    const p = g.node(n.id) as { x: number; y: number };
    out.set(n.id, { x: Math.round(p.x - n.width / 2), y: Math.round(p.y - n.height / 2) });
    bottom = Math.max(bottom, p.y + n.height / 2);
  }
  let x = 0;
  for (const n of aside) {
    out.set(n.id, { x, y: Math.round(bottom + (main.length ? 80 : 0)) });
    x += n.width + 40;
  }
  return out;
}
