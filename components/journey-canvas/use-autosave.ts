"use client";

import { useMutation } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/provider";
import type { Draft } from "./document-graph";

export type SaveState = { kind: "saved" } | { kind: "dirty" } | { kind: "saving" } | { kind: "failed"; message: string } | { kind: "conflict"; message: string };

/**
 * Saves the draft through tRPC a moment after the last change, with the
 * revision it started from: if someone else saved in between, the server says
 * "conflict" and nothing is overwritten.
 */
export function useAutosave(journeyId: string, initialRevision: number, enabled: boolean, delayMs = 700) {
  const trpc = useTRPC();
  const [state, setState] = useState<SaveState>({ kind: "saved" });
  const revision = useRef(initialRevision);
  const pending = useRef<(() => Draft) | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const save = useMutation(trpc.journey.saveDraft.mutationOptions());

  const flush = useCallback(async () => {
    const build = pending.current;
    if (!build || !enabled) return;
    pending.current = null;
    setState({ kind: "saving" });
    try {
      const res = await save.mutateAsync({ journeyId, document: build(), baseRevision: revision.current });
      revision.current = res.revision;
      setState(pending.current ? { kind: "dirty" } : { kind: "saved" });
    } catch (err) {
      const e = err as { data?: { code?: string }; message: string };
      setState(e.data?.code === "CONFLICT" ? { kind: "conflict", message: e.message } : { kind: "failed", message: e.message });
    }
  }, [enabled, journeyId, save]);

  const schedule = useCallback(
    (build: () => Draft) => {
      if (!enabled) return;
      pending.current = build;
      setState((s) => (s.kind === "conflict" ? s : { kind: "dirty" }));
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => void flush(), delayMs);
    },
    [delayMs, enabled, flush],
  );

  // Do not lose work on close: warn while changes are unsaved.
  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (pending.current) e.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, []);

  return { state, schedule, flush, retry: flush };
}
