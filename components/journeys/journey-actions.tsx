"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { JourneyStatus } from "@/db/schema";
import type { JourneyChange } from "@/server/journey/diff";
import { useTRPC } from "@/components/trpc/provider";
import { Button } from "@/components/ui/button";

type Props = {
  journeyId: string;
  slug: string;
  status: JourneyStatus;
  pauseMode?: "finish" | "hold" | null;
  canEdit: boolean;
  errorCount: number;
  unsaved: boolean;
  draft: Record<string, unknown>;
  /** What publishing the saved draft would change (undefined while it loads). */
  changes?: { liveVersion: number | null; changes: JourneyChange[] };
};

/** What the publish review says will go live. */
function publishSummary(changes: Props["changes"]): string {
  if (!changes) return "The saved draft becomes a new version.";
  const { liveVersion, changes: list } = changes;
  if (liveVersion === null) {
    const steps = list.filter((c) => c.area === "step").length;
    const connections = list.filter((c) => c.area === "connection").length;
    return `First version: ${steps} steps and ${connections} connections go live.`;
  }
  return `${list.length} ${list.length === 1 ? "change" : "changes"} since live v${liveVersion} (listed under Draft changes) go live.`;
}

/** Publish, pause/resume, archive/restore, duplicate and export: what a journey's header offers. */
export function JourneyActions({ journeyId, slug, status, pauseMode, canEdit, errorCount, unsaved, draft, changes }: Props) {
  const [choosingPause, setChoosingPause] = useState(false);
  // Publishing puts the draft in front of real customers: it is reviewed first, as a launch is in commercial tools.
  const [reviewing, setReviewing] = useState(false);
  const nothingNew = changes !== undefined && changes.liveVersion !== null && changes.changes.length === 0;
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: trpc.journey.get.queryKey({ journeyId }) }), queryClient.invalidateQueries({ queryKey: trpc.journey.draftChanges.queryKey({ journeyId }) })]);
  const publish = useMutation(
    trpc.journey.publish.mutationOptions({
      onSuccess: () => {
        setReviewing(false);
        return refresh();
      },
    }),
  );
  const setStatus = useMutation(
    trpc.journey.setStatus.mutationOptions({
      onSuccess: () => {
        setChoosingPause(false);
        return refresh();
      },
    }),
  );
  const duplicate = useMutation(trpc.journey.create.mutationOptions({ onSuccess: (res) => router.push(`/journeys/${res.id}`) }));
  const error = publish.error ?? setStatus.error ?? duplicate.error;

  const exportJson = () => {
    const blob = new Blob([JSON.stringify(draft, null, 2)], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = Object.assign(document.createElement("a"), { href: url, download: `${slug}.journey.json` });
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap items-center justify-end gap-2">
        <a href={`/journeys/${journeyId}/analytics`} className="inline-flex h-9 items-center rounded-md px-4 text-sm font-medium text-brand-700 ring-1 ring-inset ring-brand-200 hover:bg-brand-50">Analytics</a>
        <Button variant="secondary" onClick={exportJson}>Export JSON</Button>
        {canEdit ? (
          <>
            <Button variant="secondary" disabled={duplicate.isPending} onClick={() => duplicate.mutate({ from: { journeyId } })}>Duplicate</Button>
            {status === "live" ? (
              <Button variant="secondary" disabled={setStatus.isPending} aria-expanded={choosingPause} onClick={() => setChoosingPause(!choosingPause)}>
                Pause…
              </Button>
            ) : null}
            {status === "paused" ? <Button variant="secondary" disabled={setStatus.isPending} onClick={() => setStatus.mutate({ journeyId, move: "resume" })}>Resume</Button> : null}
            {status === "archived" ? (
              <Button variant="secondary" disabled={setStatus.isPending} onClick={() => setStatus.mutate({ journeyId, move: "restore" })}>Restore</Button>
            ) : (
              <Button
                variant="danger"
                disabled={setStatus.isPending}
                onClick={() => window.confirm("Archive this journey? It stops taking entries; customers in it finish.") && setStatus.mutate({ journeyId, move: "archive" })}
              >
                Archive
              </Button>
            )}
            {status !== "archived" ? (
              <Button
                disabled={publish.isPending || errorCount > 0 || unsaved || nothingNew}
                aria-expanded={reviewing}
                title={
                  errorCount > 0
                    ? `Fix ${errorCount} error(s) first`
                    : unsaved
                      ? "Saving your changes…"
                      : nothingNew
                        ? `No changes: the draft is live v${changes!.liveVersion}`
                        : "Review and publish the draft as a new version"
                }
                onClick={() => {
                  publish.reset(); // the last publish's "Published version n." is not about this one
                  setReviewing(!reviewing);
                }}
              >
                {publish.isPending ? "Publishing…" : "Publish"}
              </Button>
            ) : null}
          </>
        ) : null}
      </div>
      {choosingPause && status === "live" ? (
        <div role="group" aria-label="How to pause" className="flex flex-wrap items-center justify-end gap-2 rounded-md border border-surface-line bg-white px-3 py-2 text-sm shadow-card" onKeyDown={(e) => e.key === "Escape" && setChoosingPause(false)}>
          <span className="text-ink-muted">No new entries. Customers already in it:</span>
          <Button size="sm" variant="secondary" disabled={setStatus.isPending} onClick={() => setStatus.mutate({ journeyId, move: "pause", hold: false })} autoFocus>
            Let them finish
          </Button>
          <Button size="sm" variant="secondary" disabled={setStatus.isPending} onClick={() => setStatus.mutate({ journeyId, move: "pause", hold: true })}>
            Hold them where they are
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setChoosingPause(false)}>Cancel</Button>
        </div>
      ) : null}
      {reviewing && status !== "archived" && !nothingNew && errorCount === 0 ? (
        <div role="group" aria-label="Review before publishing" className="flex max-w-xl flex-wrap items-center justify-end gap-2 rounded-md border border-surface-line bg-white px-3 py-2 text-sm shadow-card" onKeyDown={(e) => e.key === "Escape" && setReviewing(false)}>
          <span className="text-ink-muted" data-testid="publish-summary">{publishSummary(changes)} Customers meet it from the next event.</span>
          <Button size="sm" disabled={publish.isPending || unsaved} onClick={() => publish.mutate({ journeyId })} autoFocus>
            {publish.isPending ? "Publishing…" : "Publish now"}
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setReviewing(false)}>Cancel</Button>
        </div>
      ) : null}
      {status === "paused" && pauseMode ? (
        <p className="text-sm text-ink-muted" data-testid="pause-mode">
          {pauseMode === "hold" ? "Paused: customers in it are held where they are until you resume." : "Paused: no new entries; customers in it go on to the end."}
        </p>
      ) : null}
      {error ? <p role="alert" className="text-sm text-red-600">{error.message}</p> : null}
      {publish.data ? <p role="status" className="text-sm text-emerald-700">Published version {publish.data.version}.</p> : null}
    </div>
  );
}
