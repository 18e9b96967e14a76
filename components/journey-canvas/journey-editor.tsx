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
  useNodesInitialized,
  useNodesState,
  useReactFlow,
  useStore,
  useStoreApi,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/provider";
import { isNodeKind, journeyDocumentSchema, nodeKinds, validateJourney, type Issue, type NodeKind } from "@/server/journey";
import { edgeId, nextNodeId, toDocument, toFlow, type Draft, type JourneyFlowNode } from "./document-graph";
import { layoutJourney } from "./auto-layout";
import { Inspector } from "./inspector";
import { JourneyNodeView } from "./nodes/journey-node";
import { Palette, paletteMime } from "./palette";
import { TestMode, type TestResult } from "./test-mode";
import { useAutosave, type SaveState } from "./use-autosave";

const nodeTypes = { journey: JourneyNodeView };

/**
 * Below this zoom a step's text is under 6 px tall: nobody reads it, and
 * painting it for 300 steps on every frame is what made a zoomed-out pan lag
 * (bench:canvas). The canvas then draws steps as coloured cards (header,
 * outline, handles, issue badge) and hides their text.
 */
const farZoom = 0.4;

/** Toggles `wm-far` on the canvas when the zoom crosses {@link farZoom}: one subscriber, not one per step. */
function DetailByZoom() {
  const far = useStore((s) => s.transform[2] < farZoom);
  const domNode = useStore((s) => s.domNode);
  useEffect(() => {
    domNode?.classList.toggle("wm-far", far);
  }, [domNode, far]);
  return null;
}
/** From this zoom up a step's text is easy to read (its smallest text about 7 px, its title about 9). */
const readableZoom = 0.65;
const fitPadding = 0.15;

/**
 * The view a journey opens at: the whole journey when it fits at a readable
 * zoom; otherwise its start (the left, where the layout puts the triggers),
 * at a readable zoom, as commercial canvases open. Fitting a wide journey
 * whole put it below {@link farZoom}: the demo's journeys opened as blank
 * coloured cards. F, or the corner button, still shows the whole journey.
 */
function OpeningView({ touched }: { touched: React.RefObject<boolean> }) {
  const initialized = useNodesInitialized();
  const flow = useReactFlow();
  const store = useStoreApi();
  const opened = useRef(false);
  useEffect(() => {
    if (!initialized || opened.current) return;
    opened.current = true;
    // Someone already moved the view (F, a pan or a zoom before the steps were measured): theirs stays.
    if (touched.current) return;
    const nodes = flow.getNodes();
    const { width, height } = store.getState();
    if (nodes.length === 0 || width === 0 || height === 0) return;
    const b = flow.getNodesBounds(nodes);
    const fit = Math.min(1, (width * (1 - 2 * fitPadding)) / b.width, (height * (1 - 2 * fitPadding)) / b.height);
    if (fit >= readableZoom) {
      void flow.fitView({ maxZoom: 1, padding: fitPadding });
      return;
    }
    const zoom = readableZoom;
    const margin = 48;
    // Vertically centred if the journey is no taller than the view, else from its top.
    const y = b.height * zoom <= height - 2 * margin ? (height - b.height * zoom) / 2 - b.y * zoom : margin - b.y * zoom;
    void flow.setViewport({ x: margin - b.x * zoom, y, zoom });
  }, [initialized, flow, store, touched]);
  return null;
}
const clipboardKey = "waymark-clipboard";
const noSettings: Record<string, unknown> = {};

type Props = { journeyId: string; draft: Draft; revision: number; readOnly: boolean; onStatus?: (status: EditorStatus) => void };
export type EditorStatus = { issues: Issue[]; saved: boolean; name?: string };

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
  // The document around the graph (name, settings): the draft as loaded, or an imported one.
  const [base, setBase] = useState<Draft>(draft);
  const baseRef = useRef(base);
  const flow = useReactFlow<JourneyFlowNode, Edge>();
  const wrapper = useRef<HTMLDivElement>(null);
  const autosave = useAutosave(journeyId, revision, !readOnly);
  type Snapshot = { nodes: JourneyFlowNode[]; edges: Edge[]; base: Draft };
  const history = useRef<{ past: Snapshot[]; future: Snapshot[] }>({ past: [], future: [] });
  const [testOpen, setTestOpen] = useState(false);
  // The analytics overlay: how many customers passed each step, on the canvas.
  const trpc = useTRPC();
  const [overlay, setOverlay] = useState(false);
  const report = useQuery({ ...trpc.analytics.journeyReport.queryOptions({ journeyId }), enabled: overlay, refetchInterval: overlay ? 15_000 : false });
  const stats = useMemo(() => (overlay && report.data ? new Map(report.data.funnel.map((f) => [f.nodeId, { passed: f.passed, share: f.shareOfEntered }])) : null), [overlay, report.data]);
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
  const latest = useRef<Snapshot>({ nodes, edges, base });
  useEffect(() => {
    latest.current = { nodes, edges, base };
    baseRef.current = base;
  }, [nodes, edges, base]);

  // Validation and saving run a moment after the last change (not on every drag frame).
  const changed = useCallback(() => {
    autosave.schedule(() => toDocument(baseRef.current, latest.current.nodes, latest.current.edges));
  }, [autosave]);
  useEffect(() => {
    const t = setTimeout(() => setIssues(validateJourney(toDocument(base, nodes, edges))), 250);
    return () => clearTimeout(t);
  }, [base, nodes, edges]);
  const draftName = typeof base.name === "string" && base.name.trim() ? base.name.trim() : undefined;
  useEffect(() => onStatus?.({ issues, saved: autosave.state.kind === "saved", name: draftName }), [issues, autosave.state.kind, onStatus, draftName]);

  const remember = useCallback(() => {
    history.current.past.push(latest.current);
    if (history.current.past.length > 100) history.current.past.shift();
    history.current.future = [];
  }, []);
  // After a change that moves or brings back steps, show the whole journey again (steps off screen are not rendered).
  /** Whether the view has been moved by hand or by F (the opening view then leaves it alone). */
  const viewTouched = useRef(false);
  const refit = useCallback(() => {
    viewTouched.current = true;
    setTimeout(() => void flow.fitView({ duration: 300, maxZoom: 1, padding: 0.15 }), 50);
  }, [flow]);
  const restore = useCallback(
    (from: "past" | "future") => {
      const snapshot = history.current[from].pop();
      if (!snapshot) return;
      const shown = new Set(latest.current.nodes.map((n) => n.id));
      if (snapshot.nodes.some((n) => !shown.has(n.id))) refit();
      history.current[from === "past" ? "future" : "past"].push(latest.current);
      setNodes(snapshot.nodes);
      setEdges(snapshot.edges);
      setBase(snapshot.base);
      baseRef.current = snapshot.base;
      latest.current = snapshot;
      changed();
    },
    [changed, refit, setEdges, setNodes],
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

  // Journey settings (no step selected): part of the document around the graph, undoable like a step's.
  const patchBase = useCallback(
    (patch: { settings?: Record<string, unknown>; name?: string }) => {
      remember();
      const next = { ...baseRef.current, ...patch };
      baseRef.current = next;
      latest.current = { ...latest.current, base: next };
      setBase(next);
      changed();
    },
    [changed, remember],
  );

  // Auto-layout: dagre places the steps left to right (undoable), then the view fits them.
  const tidy = useCallback(() => {
    if (readOnly) return;
    remember();
    const at = layoutJourney(
      latest.current.nodes.map((n) => ({
        id: n.id,
        width: n.measured?.width ?? 224,
        height: n.measured?.height ?? 110,
        offPath: isNodeKind(n.data.kind) && (nodeKinds[n.data.kind].family === "negative" || nodeKinds[n.data.kind].family === "guardrail"),
      })),
      latest.current.edges,
    );
    setNodes((ns) => ns.map((n) => ({ ...n, position: at.get(n.id) ?? n.position })));
    changed();
    refit();
  }, [changed, readOnly, refit, remember, setNodes]);
  const [helpOpen, setHelpOpen] = useState(false);

  // Import: a journey JSON file replaces this draft (undoable); one that does not parse changes nothing.
  const [importError, setImportError] = useState<string[] | null>(null);
  const importFile = useRef<HTMLInputElement>(null);
  const importJson = useCallback(
    async (file: File) => {
      const checked = checkImport(await file.text());
      if (!checked.ok) return setImportError(checked.errors);
      setImportError(null);
      remember();
      const next: Draft = { ...checked.document, id: baseRef.current.id ?? checked.document.id };
      const graph = toFlow(next, readOnly);
      baseRef.current = next;
      latest.current = { nodes: graph.nodes, edges: graph.edges, base: next };
      setBase(next);
      setNodes(graph.nodes);
      setEdges(graph.edges);
      changed();
      refit();
    },
    [changed, readOnly, refit, remember, setEdges, setNodes],
  );

  // Keyboard: undo/redo, copy/paste (also between journeys, through localStorage), fit view, tidy, help.
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
        viewTouched.current = true;
        void flow.fitView({ duration: 200 });
      } else if (e.key === "l" && !mod && !readOnly) {
        tidy();
      } else if (e.key === "?") {
        setHelpOpen((o) => !o);
      } else if (e.key === "Escape") {
        setHelpOpen(false);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [changed, flow, readOnly, remember, restore, setEdges, setNodes, tidy]);

  // Issues pinned to nodes: only nodes whose issues changed get new data (memoised views stay put).
  const issuesByNode = useMemo(() => {
    const m = new Map<string, Issue[]>();
    for (const i of issues) if (i.nodeId) m.set(i.nodeId, [...(m.get(i.nodeId) ?? []), i]);
    return m;
  }, [issues]);
  const [dataCache] = useState(() => new Map<string, { node: JourneyFlowNode; withIssues: JourneyFlowNode["data"]; key: string; shown: JourneyFlowNode }>());
  const shownNodes = useMemo(
    () =>
      nodes.map((n) => {
        const list = issuesByNode.get(n.id) ?? [];
        const isLit = lit.nodeIds.has(n.id);
        const nodeStats = stats?.get(n.id);
        const key = `${isLit}|${nodeStats ? `${nodeStats.passed}/${nodeStats.share}` : ""}|${list.map((i) => i.message).join("|")}`;
        // The same object back for an unchanged step: React Flow then skips it, so a drag re-renders one step, not 300.
        const cached = dataCache.get(n.id);
        if (cached && cached.node === n && cached.key === key) return cached.shown;
        const withIssues = cached && cached.node.data === n.data && cached.key === key ? cached.withIssues : { ...n.data, issues: list, lit: isLit, ...(nodeStats ? { stats: nodeStats } : { stats: undefined }) };
        const shown = { ...n, data: withIssues };
        dataCache.set(n.id, { node: n, withIssues, key, shown });
        return shown;
      }),
    [nodes, issuesByNode, dataCache, lit, stats],
  );
  const selected = nodes.filter((n) => n.selected);
  const shownEdges = useMemo(() => {
    const litEdges = lit.edgeIds.size === 0 ? edges : edges.map((ed) => (lit.edgeIds.has(ed.id) ? { ...ed, animated: true, style: { stroke: "#2545eb", strokeWidth: 2.5 } } : ed));
    if (!stats) return litEdges;
    // An edge carries the customers who passed its target, when that target has no other way in.
    const incoming = new Map<string, number>();
    for (const ed of edges) incoming.set(ed.target, (incoming.get(ed.target) ?? 0) + 1);
    return litEdges.map((ed) => {
      const passed = incoming.get(ed.target) === 1 ? stats.get(ed.target)?.passed : undefined;
      return passed === undefined ? ed : { ...ed, label: passed.toLocaleString("en"), labelStyle: { fontSize: 11, fontWeight: 600, fill: "#1e3a8a" }, labelBgStyle: { fill: "#eef2ff" }, labelBgPadding: [4, 2] as [number, number], labelBgBorderRadius: 4 };
    });
  }, [edges, lit, stats]);

  return (
    // Below lg the palette, canvas and inspector stack (side by side, a phone's canvas had no width left).
    <div className="flex flex-col overflow-hidden rounded-xl border border-surface-line bg-white lg:h-[calc(100vh-14rem)] lg:min-h-[560px] lg:flex-row">
      {!readOnly ? (
        <aside className="max-h-40 shrink-0 overflow-y-auto border-b border-surface-line bg-surface-sunken lg:max-h-none lg:w-44 lg:border-r lg:border-b-0">
          <Palette onAdd={(k) => addNode(k)} />
        </aside>
      ) : null}
      <div
        ref={wrapper}
        className="relative h-[65vh] min-h-[420px] min-w-0 lg:h-auto lg:min-h-0 lg:flex-1"
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
          onMoveStart={(event) => {
            // A pan or zoom by hand (React Flow passes no event for moves made in code).
            if (event) viewTouched.current = true;
          }}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          deleteKeyCode={readOnly ? null : ["Backspace", "Delete"]}
          multiSelectionKeyCode={["Meta", "Control", "Shift"]}
          // Steps out of view are not mounted: each mounted step and handle listens to the canvas store, so a drag with 300 mounted costs frames (bench:canvas).
          onlyRenderVisibleElements
          fitViewOptions={{ maxZoom: 1, padding: fitPadding }}
          minZoom={0.1}
          defaultEdgeOptions={{ type: "smoothstep" }}
          proOptions={{ hideAttribution: true }}
        >
          <DetailByZoom />
          <OpeningView touched={viewTouched} />
          <Background gap={20} color="#e2e8f0" />
          <MiniMap className="hidden lg:block" pannable zoomable nodeColor={(n) => (n.data as { kind?: string }).kind === "negative_trigger" ? "#dc2626" : "#94a3b8"} />
          <Controls showInteractive={false} position="top-right" />
        </ReactFlow>
        <SaveBadge state={autosave.state} readOnly={readOnly} onRetry={() => void autosave.retry()} />
        <div className="absolute top-3 right-14 z-10 flex max-w-[calc(100%-15rem)] flex-wrap items-center justify-end gap-2 whitespace-nowrap">
          <button
            type="button"
            onClick={() => setTestOpen((o) => !o)}
            className={`rounded-full px-3 py-1 text-xs font-medium shadow-sm ${testOpen ? "bg-brand-600 text-white" : "border border-surface-line bg-white text-ink-soft"}`}
          >
            {testOpen ? "Testing" : "Test journey"}
          </button>
          <button
            type="button"
            aria-pressed={overlay}
            onClick={() => setOverlay((o) => !o)}
            title="Show how many customers passed each step (live data, all versions)"
            className={`rounded-full px-3 py-1 text-xs font-medium shadow-sm ${overlay ? "bg-brand-600 text-white" : "border border-surface-line bg-white text-ink-soft"}`}
          >
            {overlay ? (report.isFetching && !report.data ? "Loading counts…" : "Counts shown") : "Show counts"}
          </button>
          {overlay && report.isError ? <span role="alert" className="rounded-full bg-red-50 px-2 py-1 text-xs text-red-700">{report.error.message}</span> : null}
          {!readOnly ? (
            <button type="button" onClick={tidy} title="Arrange the steps left to right (L)" className="rounded-full border border-surface-line bg-white px-3 py-1 text-xs font-medium text-ink-soft shadow-sm">
              Tidy up
            </button>
          ) : null}
          {!readOnly ? (
            <>
              <button type="button" onClick={() => importFile.current?.click()} title="Replace this draft with a journey JSON file (undoable)" className="rounded-full border border-surface-line bg-white px-3 py-1 text-xs font-medium text-ink-soft shadow-sm">
                Import JSON
              </button>
              <input
                ref={importFile}
                type="file"
                accept="application/json,.json"
                aria-label="Journey JSON file"
                className="hidden"
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  e.target.value = "";
                  if (file) void importJson(file);
                }}
              />
            </>
          ) : null}
          <button type="button" onClick={() => setHelpOpen((o) => !o)} aria-expanded={helpOpen} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" className="h-6 w-6 rounded-full border border-surface-line bg-white text-xs font-semibold text-ink-soft shadow-sm">
            ?
          </button>
        </div>
        {helpOpen ? <ShortcutsPanel readOnly={readOnly} onClose={() => setHelpOpen(false)} /> : null}
        {importError ? (
          <div role="alert" className="absolute top-20 right-14 z-20 w-[28rem] max-w-[90%] rounded-lg border border-red-200 bg-white p-3 text-xs shadow-xl" data-testid="import-error">
            <div className="mb-1 flex items-center justify-between">
              <p className="font-semibold text-red-700">That file was not imported: nothing changed</p>
              <button type="button" onClick={() => setImportError(null)} className="text-ink-muted hover:text-ink">Dismiss</button>
            </div>
            <ul className="max-h-40 list-disc overflow-y-auto pl-4 text-ink-soft">{importError.map((e, i) => <li key={i}>{e}</li>)}</ul>
          </div>
        ) : null}
        <ProblemsPanel
          issues={issues}
          readOnly={readOnly}
          onFocus={(id) => {
            setNodes((ns) => ns.map((n) => ({ ...n, selected: n.id === id })));
            void flow.fitView({ nodes: [{ id }], duration: 300, maxZoom: 1.2 });
          }}
        />
      </div>
      <aside className="shrink-0 overflow-y-auto border-t border-surface-line lg:w-72 lg:border-t-0 lg:border-l">
        {testOpen ? (
          <TestMode getDocument={() => toDocument(baseRef.current, latest.current.nodes, latest.current.edges)} onResult={setTest} onClose={() => setTestOpen(false)} />
        ) : (
          <Inspector
            node={selected.length === 1 ? selected[0]! : null}
            selectedCount={selected.length}
            issues={selected.length === 1 ? (issuesByNode.get(selected[0]!.id) ?? []) : []}
            readOnly={readOnly}
            onChange={patchSelected}
            settings={(base.settings as Record<string, unknown> | undefined) ?? noSettings}
            name={typeof base.name === "string" ? base.name : ""}
            onBase={patchBase}
          />
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
function ProblemsPanel({ issues, readOnly, onFocus }: { issues: Issue[]; readOnly: boolean; onFocus: (nodeId: string) => void }) {
  const [open, setOpen] = useState(true);
  const errors = issues.filter((i) => i.severity === "error").length;
  return (
    <div className="absolute bottom-3 left-3 z-10 w-96 max-w-[70%] rounded-lg border border-surface-line bg-white/95 shadow-lg" data-testid="problems">
      <button type="button" className="flex w-full items-center justify-between px-3 py-2 text-sm font-medium" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
        <span className={errors ? "text-red-700" : issues.length ? "text-amber-700" : "text-emerald-700"}>
          {issues.length === 0 ? (readOnly ? "No problems" : "No problems: ready to publish") : `${errors} error${errors === 1 ? "" : "s"}, ${issues.length - errors} warning${issues.length - errors === 1 ? "" : "s"}`}
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

const shortcuts: { keys: string; what: string; edits?: boolean }[] = [
  { keys: "Click in the palette", what: "add a step after the selected one", edits: true },
  { keys: "Drag from a handle", what: "connect two steps", edits: true },
  { keys: "Delete / Backspace", what: "remove the selection", edits: true },
  { keys: "Shift / Ctrl / ⌘ + click", what: "select several" },
  { keys: "Ctrl / ⌘ + C, V", what: "copy and paste (also into another journey)" },
  { keys: "Ctrl / ⌘ + Z", what: "undo", edits: true },
  { keys: "Ctrl / ⌘ + Shift + Z, Ctrl + Y", what: "redo", edits: true },
  { keys: "L", what: "tidy up: arrange the steps left to right", edits: true },
  { keys: "F", what: "fit the journey in view" },
  { keys: "?", what: "show or hide this list" },
  { keys: "Esc", what: "close this list" },
];

/** The keyboard shortcuts, as a small dialog over the canvas. */
function ShortcutsPanel({ readOnly, onClose }: { readOnly: boolean; onClose: () => void }) {
  return (
    <div role="dialog" aria-label="Keyboard shortcuts" className="absolute top-20 right-14 z-20 w-[30rem] max-w-[90%] rounded-lg border border-surface-line bg-white p-4 shadow-xl">
      <div className="mb-2 flex items-center justify-between">
        <h2 className="text-sm font-semibold text-ink">Keyboard shortcuts</h2>
        <button type="button" onClick={onClose} className="text-xs text-ink-muted hover:text-ink" aria-label="Close shortcuts">Close</button>
      </div>
      <dl className="space-y-1.5 text-xs">
        {shortcuts.filter((s) => !readOnly || !s.edits).map((s) => (
          <div key={s.keys} className="flex justify-between gap-3">
            <dt className="shrink-0"><kbd className="whitespace-nowrap rounded border border-surface-line bg-surface-sunken px-1.5 py-0.5 font-mono text-[11px] text-ink">{s.keys}</kbd></dt>
            <dd className="text-right text-ink-muted">{s.what}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

/** A journey JSON file's text, checked against the journey document schema (spec format). */
export function checkImport(text: string): { ok: true; document: Draft } | { ok: false; errors: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [`Not JSON: ${(err as Error).message}`] };
  }
  const parsed = journeyDocumentSchema.safeParse(value);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.slice(0, 20).map((i) => `${i.path.join(".") || "document"}: ${i.message}`) };
  return { ok: true, document: parsed.data as unknown as Draft };
}
