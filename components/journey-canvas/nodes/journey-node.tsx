"use client";

import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { isNodeKind, nodeKinds } from "@/server/journey";
import { handleLabels, type JourneyFlowNode } from "../document-graph";
import { familyLook, iconOf } from "../family-look";

function summaryOf(kind: string, config: Record<string, unknown>): string {
  if (!isNodeKind(kind)) return "Unknown kind";
  const parsed = nodeKinds[kind].configSchema.safeParse(config);
  if (!parsed.success) return "Needs setup";
  return (nodeKinds[kind].summary as (c: unknown) => string)(parsed.data);
}

/**
 * One view for every node kind, derived from the registry: colour by family,
 * the kind's one-line summary ("Wait 1 h", "Email · Your cart misses you"),
 * labelled handles, and a badge with its validation issues. Memoised: a node
 * re-renders only when its own data changes.
 */
export const JourneyNodeView = memo(function JourneyNodeView({ data, selected }: NodeProps<JourneyFlowNode>) {
  const kind = isNodeKind(data.kind) ? nodeKinds[data.kind] : null;
  const look = familyLook[kind?.family ?? "flow"];
  const handles = handleLabels(data.kind, data.config);
  const offPath = kind?.family === "negative" || kind?.family === "guardrail";
  const entry = kind?.family === "trigger" || offPath;
  const errors = data.issues.filter((i) => i.severity === "error");
  const summary = summaryOf(data.kind, data.config);
  return (
    <div
      className={`wm-node relative w-56 rounded-xl border bg-white text-left shadow-sm transition-shadow ${selected ? "ring-2 ring-brand-500" : ""} ${data.lit ? "shadow-[0_0_0_4px_rgba(37,69,235,0.35)]" : ""} ${offPath ? "border-dashed" : ""}`}
      style={{ borderColor: look.color, ["--family" as string]: look.color }}
      data-testid={`node-${data.label ?? ""}`}
      data-kind={data.kind}
      data-lit={data.lit ? "true" : undefined}
    >
      {!entry ? <Handle type="target" position={Position.Left} className="!h-3 !w-3 !border-2 !border-white !bg-slate-400" /> : null}
      <div className="wm-node-head flex items-center gap-2 rounded-t-xl px-3 py-1.5 text-[11px] font-semibold tracking-wide text-white uppercase" style={{ background: look.color }}>
        <span className="wm-node-text" aria-hidden>{iconOf(data.kind, kind?.family ?? "flow")}</span>
        <span className="wm-node-text">{kind?.label ?? data.kind}</span>
      </div>
      <div className="wm-node-text px-3 py-2">
        <p className="line-clamp-2 text-sm font-medium text-ink" data-testid="node-summary" title={summary}>{summary}</p>
        {data.label ? <p className="mt-0.5 text-xs text-ink-muted">{data.label}</p> : null}
      </div>
      {data.stats ? (
        <p className="wm-node-text border-t border-surface-line bg-brand-50 px-3 py-1 text-[11px] font-medium text-brand-800" data-testid="node-stats">
          {data.stats.passed.toLocaleString("en")} passed{data.stats.share !== null ? ` · ${Math.round(data.stats.share * 100)}% of entrants` : ""}
        </p>
      ) : null}
      {handles.length > 0 ? (
        <div className="border-t border-surface-line px-3 py-1">
          {handles.map((h) => (
            <div key={h.handle} className="relative flex h-6 items-center justify-end text-[11px] text-ink-muted">
              <span className="wm-node-text">{h.label}</span>
              <Handle id={h.handle} type="source" position={Position.Right} className="!-right-[15px] !h-3 !w-3 !border-2 !border-white" style={{ background: look.color }} />
            </div>
          ))}
        </div>
      ) : null}
      {data.issues.length > 0 ? (
        <span
          className={`absolute -top-2 -right-2 flex h-5 min-w-5 items-center justify-center rounded-full px-1 text-[11px] font-bold text-white ${errors.length ? "bg-red-600" : "bg-amber-500"}`}
          title={data.issues.map((i) => i.message).join("\n")}
          data-testid="node-issue-badge"
        >
          {data.issues.length}
        </span>
      ) : null}
    </div>
  );
});
