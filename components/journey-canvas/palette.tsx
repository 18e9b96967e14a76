"use client";

import { nodeKindList, nodeKinds, type NodeKind } from "@/server/journey";
import { familyLook, iconOf } from "./family-look";

export const paletteMime = "application/x-waymark-node-kind";

/** Every node kind, from the registry: drag onto the canvas, or click to add after the selection. */
export function Palette({ onAdd }: { onAdd: (kind: NodeKind) => void }) {
  return (
    <nav aria-label="Node palette" className="flex flex-col gap-1 p-2">
      <p className="px-2 pt-1 pb-2 text-xs font-semibold tracking-wide text-ink-muted uppercase">Add a step</p>
      <p className="px-2 pb-2 text-[11px] text-ink-faint">Drag onto the canvas, or click to add after the selected step.</p>
      {nodeKindList.map((kind) => {
        const k = nodeKinds[kind];
        const look = familyLook[k.family];
        return (
          <button
            key={kind}
            type="button"
            draggable
            onDragStart={(e) => {
              e.dataTransfer.setData(paletteMime, kind);
              e.dataTransfer.effectAllowed = "move";
            }}
            onClick={() => onAdd(kind)}
            className="group flex items-center gap-2 rounded-lg border border-transparent px-2 py-1.5 text-left hover:border-surface-line hover:bg-white"
            title={k.description}
            data-testid={`palette-${kind}`}
          >
            <span className="flex h-5 w-5 shrink-0 items-center justify-center rounded text-[11px] text-white" style={{ background: look.color }} aria-hidden>
              {iconOf(kind, k.family)}
            </span>
            <span className="block text-sm font-medium text-ink">{k.label}</span>
          </button>
        );
      })}
    </nav>
  );
}
