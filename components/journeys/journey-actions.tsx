"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { JourneyStatus } from "@/db/schema";
import { useTRPC } from "@/components/trpc/provider";
import { Button } from "@/components/ui/button";

type Props = { journeyId: string; slug: string; status: JourneyStatus; pauseMode?: "finish" | "hold" | null; canEdit: boolean; errorCount: number; unsaved: boolean; draft: Record<string, unknown> };

/** Publish, pause/resume, archive/restore, duplicate and export: what a journey's header offers. */
export function JourneyActions({ journeyId, slug, status, pauseMode, canEdit, errorCount, unsaved, draft }: Props) {
  const [choosingPause, setChoosingPause] = useState(false);
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: trpc.journey.get.queryKey({ journeyId }) }), queryClient.invalidateQueries({ queryKey: trpc.journey.draftChanges.queryKey({ journeyId }) })]);
  const publish = useMutation(trpc.journey.publish.mutationOptions({ onSuccess: refresh }));
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
                disabled={publish.isPending || errorCount > 0 || unsaved}
                title={errorCount > 0 ? `Fix ${errorCount} error(s) first` : unsaved ? "Saving your changes…" : "Publish the draft as a new version"}
                onClick={() => publish.mutate({ journeyId })}
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
