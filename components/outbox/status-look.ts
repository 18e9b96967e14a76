import type { EffectStatus } from "@/db/schema";
import type { BadgeTone } from "@/components/ui/badge";

/** A message's delivery status in words and colour (the outbox and the customer page). */
export const statusLook = {
  pending: { tone: "gray", label: "Queued" },
  retrying: { tone: "amber", label: "Retrying" },
  sent: { tone: "green", label: "Sent" },
  dead: { tone: "red", label: "Failed" },
  skipped: { tone: "gray", label: "Skipped" },
} as const satisfies Record<EffectStatus, { tone: BadgeTone; label: string }>;
