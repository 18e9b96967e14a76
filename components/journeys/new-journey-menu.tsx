"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/provider";
import { Button } from "@/components/ui/button";

/** "New journey": from one of the templates or a blank canvas. Keyboard: Escape closes. */
export function NewJourneyMenu() {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const menuRef = useRef<HTMLDivElement>(null);
  const templates = useQuery(trpc.journey.templates.queryOptions(undefined, { enabled: open }));
  const create = useMutation(trpc.journey.create.mutationOptions({ onSuccess: (res) => router.push(`/journeys/${res.id}`) }));

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !menuRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  return (
    <div className="relative" ref={menuRef}>
      <Button onClick={() => setOpen((o) => !o)} aria-expanded={open} aria-haspopup="menu">
        New journey
      </Button>
      {open ? (
        <div role="menu" className="absolute right-0 z-20 mt-2 w-80 overflow-hidden rounded-lg border border-surface-line bg-white shadow-lg">
          <button role="menuitem" className="block w-full px-4 py-3 text-left hover:bg-surface-sunken" disabled={create.isPending} onClick={() => create.mutate({ from: { blank: true } })}>
            <span className="block text-sm font-medium text-ink">Blank canvas</span>
            <span className="block text-xs text-ink-muted">Start with nothing and draw your own.</span>
          </button>
          <p className="border-t border-surface-line bg-surface-sunken px-4 py-1.5 text-xs font-medium tracking-wide text-ink-muted uppercase">Templates</p>
          {templates.isPending ? <p className="px-4 py-3 text-sm text-ink-muted">Loading templates…</p> : null}
          {templates.data?.map((t) => (
            <button key={t.id} role="menuitem" className="block w-full px-4 py-3 text-left hover:bg-surface-sunken" disabled={create.isPending} onClick={() => create.mutate({ from: { template: t.id } })}>
              <span className="block text-sm font-medium text-ink">{t.name}</span>
              <span className="block text-xs text-ink-muted">{t.description}</span>
            </button>
          ))}
          {create.error ? <p role="alert" className="border-t border-surface-line px-4 py-2 text-sm text-red-600">{create.error.message}</p> : null}
        </div>
      ) : null}
    </div>
  );
}
