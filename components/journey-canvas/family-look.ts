import type { NodeFamily, NodeKind } from "@/server/journey/node-kinds";

/** Colour and glyph per node family, so negative triggers and guardrails read at a glance (tailwind.config.ts names the same colours). */
export const familyLook = {
  trigger: { color: "#059669", icon: "▶" },
  negative: { color: "#dc2626", icon: "⊘" },
  guardrail: { color: "#d97706", icon: "◆" },
  flow: { color: "#7c3aed", icon: "◷" },
  message: { color: "#2563eb", icon: "✉" },
  decision: { color: "#db2777", icon: "★" },
  profile: { color: "#0891b2", icon: "✎" },
  exit: { color: "#475569", icon: "■" },
} as const satisfies Record<NodeFamily, { color: string; icon: string }>;

/**
 * The kinds of one family that need telling apart at a glance (the flow family's wait, wait for event, branch and
 * random split all showed the clock). Glyphs that Debian's DejaVu Sans has and that no system draws as an emoji.
 */
const kindIcons: Partial<Record<NodeKind, string>> = { wait_for_event: "⇢", branch: "⋔", split: "⚄" };

export function iconOf(kind: string, family: NodeFamily): string {
  return kindIcons[kind as NodeKind] ?? familyLook[family].icon;
}
