"use client";

import { memo, useState } from "react";
import { isNodeKind, nodeKinds, type Issue } from "@/server/journey";
import type { JourneyFlowNode } from "./document-graph";
import { FriendlyFields } from "./inspector-fields";
import { JourneySettingsForm } from "./journey-settings";

/**
 * The selected node's settings: its label, friendly fields for the common
 * settings (event picker, wait duration, channel, template with variables and
 * a live preview), and the whole config as JSON, checked against the node
 * kind's zod schema as you type. A JSON change is applied only when it parses,
 * so the canvas never holds half-typed JSON.
 */
type InspectorProps = {
  node: JourneyFlowNode | null;
  issues: Issue[];
  readOnly: boolean;
  onChange: (patch: { config?: Record<string, unknown>; label?: string }) => void;
  /** The journey's settings, edited here when no step is selected. */
  settings: Record<string, unknown>;
  name: string;
  onBase: (patch: { settings?: Record<string, unknown>; name?: string }) => void;
  /** How many steps are selected (several: say so instead of showing the settings). */
  selectedCount: number;
};

/** Same step, same settings: a drag moves the step's position only, and the form need not re-render on every frame. */
function sameInput(a: InspectorProps, b: InspectorProps): boolean {
  const sameIssues = a.issues === b.issues || (a.issues.length === b.issues.length && a.issues.every((issue, i) => issue === b.issues[i]));
  return (
    a.node?.id === b.node?.id &&
    a.node?.data === b.node?.data &&
    sameIssues &&
    a.readOnly === b.readOnly &&
    a.onChange === b.onChange &&
    a.settings === b.settings &&
    a.name === b.name &&
    a.onBase === b.onBase &&
    a.selectedCount === b.selectedCount
  );
}

export const Inspector = memo(function Inspector(props: InspectorProps) {
  // A new node selected: a fresh form (keyed), so half-typed text never leaks between nodes.
  return <NodeSettings key={props.node?.id ?? ""} {...props} />;
}, sameInput);

function NodeSettings({ node, issues, readOnly, onChange, settings, name, onBase, selectedCount }: InspectorProps) {
  const [text, setText] = useState(() => (node ? JSON.stringify(node.data.config, null, 2) : ""));
  const [error, setError] = useState<string | null>(null);

  if (!node && selectedCount > 1) {
    return (
      <div className="p-4 text-sm text-ink-muted">
        <p className="font-medium text-ink">{selectedCount} steps selected</p>
        <p className="mt-1">Drag to move them together, Ctrl/⌘ + C to copy, Delete to remove. Select one step to edit it.</p>
      </div>
    );
  }
  if (!node) {
    return (
      <div className="p-4">
        <JourneySettingsForm settings={settings} name={name} readOnly={readOnly} onChange={onBase} />
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
      <FriendlyFields
        kind={node.data.kind}
        config={node.data.config}
        readOnly={readOnly}
        onConfig={(config) => {
          setText(JSON.stringify(config, null, 2));
          const parsed = kind?.configSchema.safeParse(config);
          setError(parsed && !parsed.success ? parsed.error.issues.map((i) => `${i.path.join(".") || "settings"}: ${i.message}`).join("\n") : null);
          onChange({ config });
        }}
      />
      {/* Not allowed to shrink below its textarea (min-h-32 and the label): the error under it was drawn over the text. */}
      <label className="flex min-h-40 flex-1 flex-col text-sm font-medium text-ink-soft">
        Settings (JSON)
        <textarea
          aria-label="Node settings"
          className={`mt-1 min-h-32 flex-1 rounded-md border p-2 font-mono text-xs ${error ? "border-red-400" : "border-surface-line"}`}
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
