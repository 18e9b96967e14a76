import type { JourneyChange } from "@/server/journey/diff";

const marks = {
  added: { sign: "+", tone: "text-emerald-700 bg-emerald-50" },
  removed: { sign: "−", tone: "text-red-700 bg-red-50" },
  changed: { sign: "~", tone: "text-amber-800 bg-amber-50" },
} as const;
const areas: Record<JourneyChange["area"], string> = { journey: "Journey", settings: "Settings", step: "Steps", connection: "Connections" };
const settingNames: Record<string, string> = {
  priority: "priority",
  reentry: "re-entry",
  reentryCooldown: "re-entry cooldown",
  goal: "goal",
  holdoutPercent: "holdout",
  timezone: "time zone",
};

/** A list of journey changes, grouped by area, each marked added / removed / changed. */
export function JourneyChanges({ changes, empty, testId }: { changes: JourneyChange[]; empty: string; testId?: string }) {
  if (changes.length === 0) return <p className="px-5 py-4 text-sm text-ink-muted" data-testid={testId}>{empty}</p>;
  const counts = { added: 0, removed: 0, changed: 0 };
  for (const c of changes) counts[c.change]++;
  return (
    <div className="px-5 py-3 text-sm" data-testid={testId}>
      <p className="mb-2 text-xs text-ink-muted">
        {[counts.added && `${counts.added} added`, counts.removed && `${counts.removed} removed`, counts.changed && `${counts.changed} changed`].filter(Boolean).join(" · ")}
      </p>
      {(Object.keys(areas) as JourneyChange["area"][]).map((area) => {
        const list = changes.filter((c) => c.area === area);
        if (list.length === 0) return null;
        return (
          <div key={area} className="mb-2">
            <p className="text-[11px] font-semibold tracking-wide text-ink-muted uppercase">{areas[area]}</p>
            <ul className="mt-1 space-y-1">
              {list.map((c, i) => (
                <li key={i} className="flex gap-2">
                  <span className={`mt-0.5 h-5 w-5 shrink-0 rounded text-center text-xs leading-5 font-bold ${marks[c.change].tone}`} aria-label={c.change}>
                    {marks[c.change].sign}
                  </span>
                  <span className="min-w-0 break-words text-ink-soft">
                    {area === "connection" ? (
                      <span className="font-mono text-xs">{c.detail}</span>
                    ) : (
                      <>
                        <span className="font-medium text-ink">{area === "settings" ? (settingNames[c.target] ?? c.target) : area === "step" ? <span className="font-mono text-xs">{c.target}</span> : c.target}</span>
                        {" "}
                        {c.detail}
                      </>
                    )}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </div>
  );
}
