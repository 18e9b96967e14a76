import type { JourneyStatus } from "@/db/schema";
import { Badge, type BadgeTone } from "@/components/ui/badge";

const look = {
  draft: { tone: "gray", label: "Draft" },
  live: { tone: "green", label: "Live" },
  paused: { tone: "amber", label: "Paused" },
  archived: { tone: "gray", label: "Archived" },
} as const satisfies Record<JourneyStatus, { tone: BadgeTone; label: string }>;

export function JourneyStatusBadge({ status }: { status: JourneyStatus }) {
  const { tone, label } = look[status];
  return (
    <Badge tone={tone}>
      {status === "live" ? <span className="h-1.5 w-1.5 rounded-full bg-emerald-500" aria-hidden /> : null}
      {label}
    </Badge>
  );
}
