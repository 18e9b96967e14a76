"use client";

import { useState } from "react";
import { isNodeKind, nodeKinds, type Issue } from "@/server/journey";
import type { JourneyFlowNode } from "./document-graph";

/**
 * The selected node's settings: its label and its config as JSON, checked
 * against the node kind's zod schema as you type. A change is applied only
 * when it parses, so the canvas never holds half-typed JSON.
 */
type InspectorProps = { node: JourneyFlowNode | null; issues: Issue[]; readOnly: boolean; onChange: (patch: { config?: Record<string, unknown>; label?: string }) => void };

export function Inspector(props: InspectorProps) {
  // A new node selected: a fresh form (keyed), so half-typed text never leaks between nodes.
  return <NodeSettings key={props.node?.id ?? ""} {...props} />;
}

function NodeSettings({ node, issues, readOnly, onChange }: InspectorProps) {
  const [text, setText] = useState(() => (node ? JSON.stringify(node.data.config, null, 2) : ""));
  const [error, setError] = useState<string | null>(null);

  if (!node) {
    return (
      <div className="p-4 text-sm text-ink-muted">
        <p className="font-medium text-ink">Nothing selected</p>
        <p className="mt-1">Select a step to edit it. Drag from a handle to connect steps; press Delete to remove the selection.</p>
      </div>
    );
  }
  const kind = isNodeKind(node.data.kind) ? nodeKinds[node.data.kind] : null;
  return (
    <div className="flex h-full flex-col gap-3 p-4" data-testid="inspector">
      <div>
        <p className="text-xs font-semibold tracking-wide text-ink-muted uppercase">{kind?.label ?? node.data.kind}</p>
        <p className="font-mono text-xs text-ink-faint">{node.id}</p>
        <p className="mt-1 text-xs text-ink-muted">{kind?.description}</p>
      </div>
      <label className="block text-sm font-medium text-ink-soft">
        Label
        <input
          className="mt-1 block h-8 w-full rounded-md border border-surface-line px-2 text-sm"
          value={node.data.label ?? ""}
          disabled={readOnly}
          placeholder="Optional name on the canvas"
          onChange={(e) => onChange({ label: e.target.value })}
        />
      </label>
      <label className="flex min-h-0 flex-1 flex-col text-sm font-medium text-ink-soft">
        Settings (JSON)
        <textarea
          aria-label="Node settings"
          className={`mt-1 min-h-48 flex-1 rounded-md border p-2 font-mono text-xs ${error ? "border-red-400" : "border-surface-line"}`}
          value={text}
          readOnly={readOnly}
          spellCheck={false}
          onChange={(e) => {
            setText(e.target.value);
            let value: unknown;
            try {
              value = JSON.parse(e.target.value);
            } catch (err) {
              setError(`Not valid JSON yet: ${(err as Error).message}`);
              return;
            }
            if (typeof value !== "object" || value === null || Array.isArray(value)) return setError("Settings are a JSON object: { … }");
            const parsed = kind?.configSchema.safeParse(value);
            setError(parsed && !parsed.success ? parsed.error.issues.map((i) => `${i.path.join(".") || "settings"}: ${i.message}`).join("\n") : null);
            onChange({ config: value as Record<string, unknown> });
          }}
        />
      </label>
      {error ? <p role="alert" className="whitespace-pre-wrap text-xs text-red-600">{error}</p> : null}
      {issues.length > 0 ? (
        <ul className="space-y-1 text-xs">
          {issues.map((i, n) => (
            <li key={n} className={i.severity === "error" ? "text-red-700" : "text-amber-700"}>• {i.message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
