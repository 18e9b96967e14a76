"use client";

import "@xyflow/react/dist/style.css";
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  addEdge,
  useEdgesState,
  useNodesState,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { nodeKinds, validateJourney, type Issue, type NodeKind } from "@/server/journey";
import { edgeId, nextNodeId, toDocument, toFlow, type Draft, type JourneyFlowNode } from "./document-graph";
import { Inspector } from "./inspector";
import { JourneyNodeView } from "./nodes/journey-node";
import { Palette, paletteMime } from "./palette";
import { TestMode, type TestResult } from "./test-mode";
import { useAutosave, type SaveState } from "./use-autosave";

const nodeTypes = { journey: JourneyNodeView };
const clipboardKey = "waymark-clipboard";

type Props = { journeyId: string; draft: Draft; revision: number; readOnly: boolean; onStatus?: (status: { issues: Issue[]; saved: boolean }) => void };

export function JourneyEditor(props: Props) {
  return (
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>
  );
}

function Editor({ journeyId, draft, revision, readOnly, onStatus }: Props) {
  const initial = useMemo(() => toFlow(draft, readOnly), []); // eslint-disable-line react-hooks/exhaustive-deps -- the editor owns the state after load
  const [nodes, setNodes, onNodesChangeBase] = useNodesState<JourneyFlowNode>(initial.nodes);
  const [edges, setEdges, onEdgesChangeBase] = useEdgesState<Edge>(initial.edges);
  const [issues, setIssues] = useState<Issue[]>(() => validateJourney(draft));
  const flow = useReactFlow<JourneyFlowNode, Edge>();
  const wrapper = useRef<HTMLDivElement>(null);
  const autosave = useAutosave(journeyId, revision, !readOnly);
  const history = useRef<{ past: { nodes: JourneyFlowNode[]; edges: Edge[] }[]; future: { nodes: JourneyFlowNode[]; edges: Edge[] }[] }>({ past: [], future: [] });
  const [testOpen, setTestOpen] = useState(false);
  const [test, setTest] = useState<TestResult | null>(null);
  const lit = useMemo(() => {
    const nodeIds = new Set<string>();
    const edgeIds = new Set<string>();
    if (test) {
      const last = new Map<string, string>();
      for (const l of test.lines) {
        if (l.type !== "node" || typeof l.node !== "string") continue;
        nodeIds.add(l.node);
        const prev = last.get(l.journey);
        if (prev) for (const ed of edges) if (ed.source === prev && ed.target === l.node) edgeIds.add(ed.id);
        last.set(l.journey, l.node);
      }
    }
    return { nodeIds, edgeIds };
  }, [test, edges]);
  const latest = useRef({ nodes, edges });
  useEffect(() => {
    latest.current = { nodes, edges };
  }, [nodes, edges]);

  // Validation and saving run a moment after the last change (not on every drag frame).
  const changed = useCallback(() => {
    autosave.schedule(() => toDocument(draft, latest.current.nodes, latest.current.edges));
  }, [autosave, draft]);
  useEffect(() => {
    const t = setTimeout(() => setIssues(validateJourney(toDocument(draft, nodes, edges))), 250);
    return () => clearTimeout(t);
  }, [draft, nodes, edges]);
  useEffect(() => onStatus?.({ issues, saved: autosave.state.kind === "saved" }), [issues, autosave.state.kind, onStatus]);

  const remember = useCallback(() => {
    history.current.past.push(latest.current);
    if (history.current.past.length > 100) history.current.past.shift();
    history.current.future = [];
  }, []);
  const restore = useCallback(
    (from: "past" | "future") => {
      const snapshot = history.current[from].pop();
      if (!snapshot) return;
      history.current[from === "past" ? "future" : "past"].push(latest.current);
      setNodes(snapshot.nodes);
      setEdges(snapshot.edges);
      changed();
    },
    [changed, setEdges, setNodes],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<JourneyFlowNode>[]) => {
      if (readOnly) return onNodesChangeBase(changes.filter((c) => c.type === "select" || c.type === "dimensions"));
      if (changes.some((c) => c.type === "remove")) remember();
      onNodesChangeBase(changes);
      if (changes.some((c) => c.type === "remove" || (c.type === "position" && !c.dragging))) changed();
    },
    [changed, onNodesChangeBase, readOnly, remember],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange<Edge>[]) => {
      if (readOnly) return onEdgesChangeBase(changes.filter((c) => c.type === "select"));
      if (changes.some((c) => c.type === "remove")) remember();
      onEdgesChangeBase(changes);
      if (changes.some((c) => c.type === "remove")) changed();
    },
    [changed, onEdgesChangeBase, readOnly, remember],
  );
  const onConnect = useCallback(
    (c: Connection) => {
      if (readOnly || !c.source || !c.target) return;
      remember();
      const handle = c.sourceHandle ?? "next";
      // One edge per handle: a new connection from a handle replaces the old one.
      setEdges((eds) => addEdge({ ...c, id: edgeId(c.source, handle, c.target) }, eds.filter((e) => !(e.source === c.source && (e.sourceHandle ?? "next") === handle))));
      changed();
    },
    [changed, readOnly, remember, setEdges],
  );

  const addNode = useCallback(
    (kind: NodeKind, at?: { x: number; y: number }) => {
      if (readOnly) return;
      remember();
      const current = latest.current;
      const id = nextNodeId(kind, new Set(current.nodes.map((n) => n.id)));
      const selected = current.nodes.find((n) => n.selected);
      const position = at ?? (selected ? { x: selected.position.x + 300, y: selected.position.y } : flow.screenToFlowPosition({ x: (wrapper.current?.clientWidth ?? 800) / 2, y: (wrapper.current?.clientHeight ?? 600) / 2 }));
      const node: JourneyFlowNode = { id, type: "journey", position, selected: true, data: { kind, config: structuredClone(nodeKinds[kind].defaultConfig) as Record<string, unknown>, issues: [], readOnly } };
      setNodes((ns) => [...ns.map((n) => ({ ...n, selected: false })), node]);
      // Click-to-add after the selection also connects its first free way out.
      if (!at && selected && kind !== "negative_trigger" && kind !== "guardrail" && kind !== "trigger") {
        const taken = new Set(current.edges.filter((e) => e.source === selected.id).map((e) => e.sourceHandle ?? "next"));
        const sel = nodeKinds[selected.data.kind as NodeKind];
        const parsed = sel?.configSchema.safeParse(selected.data.config);
        const free = parsed?.success ? (sel.handles as (c: unknown) => string[])(parsed.data).find((h) => !taken.has(h)) : undefined;
        if (free) setEdges((eds) => [...eds, { id: edgeId(selected.id, free, id), source: selected.id, target: id, sourceHandle: free }]);
      }
      // Keep the new step in view.
      void flow.setCenter(position.x + 112, position.y + 50, { zoom: Math.min(flow.getZoom(), 1), duration: 200 });
      changed();
    },
    [changed, flow, readOnly, remember, setEdges, setNodes],
  );

  const patchSelected = useCallback(
    (patch: { config?: Record<string, unknown>; label?: string }) => {
      remember();
      setNodes((ns) => ns.map((n) => (n.selected ? { ...n, data: { ...n.data, ...(patch.config ? { config: patch.config } : {}), ...(patch.label !== undefined ? { label: patch.label || undefined } : {}) } } : n)));
      changed();
    },
    [changed, remember, setNodes],
  );

  // Keyboard: undo/redo, copy/paste (also between journeys, through localStorage), fit view.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (target.closest("input, textarea, select, [contenteditable]")) return;
      const mod = e.metaKey || e.ctrlKey;
      if (mod && e.key.toLowerCase() === "z" && !readOnly) {
        e.preventDefault();
        restore(e.shiftKey ? "future" : "past");
      } else if (mod && e.key.toLowerCase() === "y" && !readOnly) {
        e.preventDefault();
        restore("future");
      } else if (mod && e.key.toLowerCase() === "c") {
        const picked = latest.current.nodes.filter((n) => n.selected);
        const ids = new Set(picked.map((n) => n.id));
        localStorage.setItem(clipboardKey, JSON.stringify({ nodes: picked, edges: latest.current.edges.filter((ed) => ids.has(ed.source) && ids.has(ed.target)) }));
      } else if (mod && e.key.toLowerCase() === "v" && !readOnly) {
        const raw = localStorage.getItem(clipboardKey);
        if (!raw) return;
        const clip = JSON.parse(raw) as { nodes: JourneyFlowNode[]; edges: Edge[] };
        remember();
        const taken = new Set(latest.current.nodes.map((n) => n.id));
        const rename = new Map<string, string>();
        const pasted = clip.nodes.map((n) => {
          const id = nextNodeId(n.data.kind as NodeKind, taken);
          taken.add(id);
          rename.set(n.id, id);
          return { ...n, id, selected: true, position: { x: n.position.x + 40, y: n.position.y + 40 }, data: { ...n.data, issues: [], readOnly } };
        });
        const pastedEdges = clip.edges.map((ed) => ({ ...ed, id: edgeId(rename.get(ed.source)!, ed.sourceHandle ?? "next", rename.get(ed.target)!), source: rename.get(ed.source)!, target: rename.get(ed.target)!, selected: false }));
        setNodes((ns) => [...ns.map((n) => ({ ...n, selected: false })), ...pasted]);
        setEdges((eds) => [...eds, ...pastedEdges]);
        changed();
      } else if (e.key === "f" && !mod) {
        void flow.fitView({ duration: 200 });
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [changed, flow, readOnly, remember, restore, setEdges, setNodes]);

  // Issues pinned to nodes: only nodes whose issues changed get new data (memoised views stay put).
  const issuesByNode = useMemo(() => {
    const m = new Map<string, Issue[]>();
    for (const i of issues) if (i.nodeId) m.set(i.nodeId, [...(m.get(i.nodeId) ?? []), i]);
    return m;
  }, [issues]);
  const [dataCache] = useState(() => new Map<string, { data: JourneyFlowNode["data"]; withIssues: JourneyFlowNode["data"]; key: string }>());
  const shownNodes = useMemo(
    () =>
      nodes.map((n) => {
        const list = issuesByNode.get(n.id) ?? [];
        const isLit = lit.nodeIds.has(n.id);
        const key = `${isLit}|${list.map((i) => i.message).join("|")}`;
        const cached = dataCache.get(n.id);
        if (cached && cached.data === n.data && cached.key === key) return { ...n, data: cached.withIssues };
        const withIssues = { ...n.data, issues: list, lit: isLit };
        dataCache.set(n.id, { data: n.data, withIssues, key });
        return { ...n, data: withIssues };
      }),
    [nodes, issuesByNode, dataCache, lit],
  );
  const selected = nodes.filter((n) => n.selected);
  const shownEdges = useMemo(
    () => (lit.edgeIds.size === 0 ? edges : edges.map((ed) => (lit.edgeIds.has(ed.id) ? { ...ed, animated: true, style: { stroke: "#2545eb", strokeWidth: 2.5 } } : ed))),
    [edges, lit],
  );

  return (
    <div className="flex h-[calc(100vh-14rem)] min-h-[560px] overflow-hidden rounded-xl border border-surface-line bg-white">
      {!readOnly ? (
        <aside className="w-44 shrink-0 overflow-y-auto border-r border-surface-line bg-surface-sunken">
          <Palette onAdd={(k) => addNode(k)} />
        </aside>
      ) : null}
      <div
        ref={wrapper}
        className="relative min-w-0 flex-1"
        onDragOver={(e) => {
          if (!e.dataTransfer.types.includes(paletteMime)) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = "move";
        }}
        onDrop={(e) => {
          const kind = e.dataTransfer.getData(paletteMime) as NodeKind;
          if (!kind) return;
          e.preventDefault();
          addNode(kind, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
        }}
      >
        <ReactFlow
          nodes={shownNodes}
          edges={shownEdges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          onNodeDragStart={() => remember()}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          deleteKeyCode={readOnly ? null : ["Backspace", "Delete"]}
          multiSelectionKeyCode={["Meta", "Control", "Shift"]}
          onlyRenderVisibleElements
          fitView
          fitViewOptions={{ maxZoom: 1, padding: 0.15 }}
          minZoom={0.1}
          defaultEdgeOptions={{ type: "smoothstep" }}
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={20} color="#e2e8f0" />
          <MiniMap pannable zoomable nodeColor={(n) => (n.data as { kind?: string }).kind === "negative_trigger" ? "#dc2626" : "#94a3b8"} />
          <Controls showInteractive={false} position="top-right" />
        </ReactFlow>
        <SaveBadge state={autosave.state} readOnly={readOnly} onRetry={() => void autosave.retry()} />
        <button
          type="button"
          onClick={() => setTestOpen((o) => !o)}
          className={`absolute top-3 left-1/2 z-10 -translate-x-1/2 rounded-full px-3 py-1 text-xs font-medium shadow-sm ${testOpen ? "bg-brand-600 text-white" : "border border-surface-line bg-white text-ink-soft"}`}
        >
          {testOpen ? "Testing" : "Test journey"}
        </button>
        <ProblemsPanel
          issues={issues}
          onFocus={(id) => {
            setNodes((ns) => ns.map((n) => ({ ...n, selected: n.id === id })));
            void flow.fitView({ nodes: [{ id }], duration: 300, maxZoom: 1.2 });
          }}
        />
      </div>
      <aside className="w-72 shrink-0 overflow-y-auto border-l border-surface-line">
        {testOpen ? (
          <TestMode getDocument={() => toDocument(draft, latest.current.nodes, latest.current.edges)} onResult={setTest} onClose={() => setTestOpen(false)} />
        ) : (
          <Inspector node={selected.length === 1 ? selected[0]! : null} issues={selected.length === 1 ? (issuesByNode.get(selected[0]!.id) ?? []) : []} readOnly={readOnly} onChange={patchSelected} />
        )}
      </aside>
    </div>
  );
}

function SaveBadge({ state, readOnly, onRetry }: { state: SaveState; readOnly: boolean; onRetry: () => void }) {
  if (readOnly) return <p className="absolute top-3 left-3 rounded-full bg-slate-100 px-3 py-1 text-xs text-ink-muted">Read-only</p>;
  const text = { saved: "All changes saved", dirty: "Unsaved changes…", saving: "Saving…", failed: "Save failed", conflict: "Someone else saved this journey" }[state.kind];
  const tone = state.kind === "failed" || state.kind === "conflict" ? "bg-red-50 text-red-700" : state.kind === "saved" ? "bg-emerald-50 text-emerald-700" : "bg-slate-100 text-ink-muted";
  return (
    <div role="status" data-testid="save-state" className={`absolute top-3 left-3 flex items-center gap-2 rounded-full px-3 py-1 text-xs ${tone}`}>
      {text}
      {state.kind === "failed" ? <button className="underline" onClick={onRetry}>Retry</button> : null}
      {state.kind === "conflict" ? <button className="underline" onClick={() => window.location.reload()}>Reload their version</button> : null}
    </div>
  );
}

/** Every validation issue; clicking one selects and shows its node. */
function ProblemsPanel({ issues, onFocus }: { issues: Issue[]; onFocus: (nodeId: string) => void }) {
  const [open, setOpen] = useState(true);
  const errors = issues.filter((i) => i.severity === "error").length;
  return (
    <div className="absolute bottom-3 left-3 z-10 w-96 max-w-[70%] rounded-lg border border-surface-line bg-white/95 shadow-lg" data-testid="problems">
      <button type="button" className="flex w-full items-center justify-between px-3 py-2 text-sm font-medium" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
        <span className={errors ? "text-red-700" : issues.length ? "text-amber-700" : "text-emerald-700"}>
          {issues.length === 0 ? "No problems: ready to publish" : `${errors} error${errors === 1 ? "" : "s"}, ${issues.length - errors} warning${issues.length - errors === 1 ? "" : "s"}`}
        </span>
        <span className="text-ink-faint">{open ? "▾" : "▸"}</span>
      </button>
      {open && issues.length > 0 ? (
        <ul className="max-h-40 overflow-y-auto border-t border-surface-line text-xs">
          {issues.map((i, n) => (
            <li key={n}>
              <button type="button" disabled={!i.nodeId} onClick={() => i.nodeId && onFocus(i.nodeId)} className="flex w-full gap-2 px-3 py-1.5 text-left hover:bg-surface-sunken disabled:cursor-default">
                <span className={i.severity === "error" ? "text-red-600" : "text-amber-600"}>{i.severity === "error" ? "●" : "▲"}</span>
                <span className="text-ink-soft">{i.message}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
