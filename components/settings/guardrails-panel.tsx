"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/provider";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { ErrorState, LoadingRows } from "@/components/ui/states";
import { channels, type WorkspaceSettings } from "@/server/journey/schema";

type Cap = { channel: string; max: string; per: string };
const perOptions = [
  { value: "PT1H", label: "hour" },
  { value: "P1D", label: "day" },
  { value: "P7D", label: "week" },
  { value: "P30D", label: "30 days" },
];

/** Workspace guardrails: frequency caps across every journey and channel, quiet hours and the global control group. */
export function GuardrailsPanel() {
  const trpc = useTRPC();
  const settings = useQuery(trpc.workspace.settings.queryOptions());
  // Kept here: the form below starts afresh (remounts) whenever the saved settings change.
  const [saved, setSaved] = useState(false);
  if (settings.isPending) return <Card><LoadingRows label="Loading guardrails" /></Card>;
  if (settings.isError) return <Card><ErrorState message={settings.error.message} onRetry={() => void settings.refetch()} /></Card>;
  return <GuardrailsForm key={JSON.stringify(settings.data)} initial={settings.data} saved={saved} setSaved={setSaved} />;
}

function GuardrailsForm({ initial, saved, setSaved }: { initial: WorkspaceSettings; saved: boolean; setSaved: (s: boolean) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [caps, setCaps] = useState<Cap[]>(initial.frequencyCap.map((c) => ({ channel: c.channel, max: String(c.max), per: c.per })));
  const [quiet, setQuiet] = useState(initial.quietHours ? { on: true, ...initial.quietHours } : { on: false, start: "21:00", end: "08:00" });
  const [holdout, setHoldout] = useState(String(initial.globalHoldoutPercent));
  const save = useMutation(
    trpc.workspace.updateSettings.mutationOptions({
      onSuccess: () => {
        setSaved(true);
        void queryClient.invalidateQueries({ queryKey: trpc.workspace.settings.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.workspace.auditLog.queryKey() });
      },
    }),
  );
  const issues = save.error?.data?.zodError?.fieldErrors as Record<string, string[] | undefined> | undefined;
  const problem = save.error ? (issues ? Object.entries(issues).map(([k, v]) => `${k}: ${v?.join(", ")}`).join("; ") : save.error.message) : null;

  return (
    <Card>
      <CardHeader title="Guardrails" description="Limits across every journey and channel of this workspace; the runtime applies them from its next batch." />
      <form
        className="space-y-5 px-5 py-4"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          save.mutate({
            ...(initial.maxConcurrentJourneys ? { maxConcurrentJourneys: initial.maxConcurrentJourneys } : {}),
            frequencyCap: caps.map((c) => ({ channel: c.channel as "any", max: Number(c.max), per: c.per })),
            ...(quiet.on ? { quietHours: { start: quiet.start, end: quiet.end } } : {}),
            globalHoldoutPercent: Number(holdout),
            scoring: initial.scoring,
          });
        }}
      >
        <fieldset>
          <legend className="text-sm font-medium text-ink-soft">Frequency caps</legend>
          <p className="text-xs text-ink-muted">Messages to one customer from all journeys together, in a sliding window. Over a cap, a message is recorded as blocked.</p>
          <ul className="mt-2 space-y-2">
            {caps.map((c, i) => (
              <li key={i} className="flex items-center gap-2 text-sm">
                At most
                <input aria-label={`Cap ${i + 1} maximum`} type="number" min={1} value={c.max} onChange={(e) => setCaps(caps.map((x, k) => (k === i ? { ...x, max: e.target.value } : x)))} className="h-8 w-20 rounded-md border border-surface-line px-2" />
                <select aria-label={`Cap ${i + 1} channel`} value={c.channel} onChange={(e) => setCaps(caps.map((x, k) => (k === i ? { ...x, channel: e.target.value } : x)))} className="h-8 rounded-md border border-surface-line px-2">
                  <option value="any">messages on any channel</option>
                  {channels.map((ch) => <option key={ch} value={ch}>{ch} messages</option>)}
                </select>
                per
                <select aria-label={`Cap ${i + 1} window`} value={c.per} onChange={(e) => setCaps(caps.map((x, k) => (k === i ? { ...x, per: e.target.value } : x)))} className="h-8 rounded-md border border-surface-line px-2">
                  {perOptions.map((p) => <option key={p.value} value={p.value}>{p.label}</option>)}
                  {perOptions.some((p) => p.value === c.per) ? null : <option value={c.per}>{c.per}</option>}
                </select>
                <Button type="button" variant="ghost" size="sm" onClick={() => setCaps(caps.filter((_, k) => k !== i))} aria-label={`Remove cap ${i + 1}`}>Remove</Button>
              </li>
            ))}
          </ul>
          <Button type="button" variant="secondary" size="sm" className="mt-2" onClick={() => setCaps([...caps, { channel: "any", max: "3", per: "P1D" }])}>Add a cap</Button>
        </fieldset>
        <fieldset className="flex flex-wrap items-end gap-3">
          <legend className="text-sm font-medium text-ink-soft">Quiet hours</legend>
          <label className="flex items-center gap-2 text-sm"><input type="checkbox" checked={quiet.on} onChange={(e) => setQuiet({ ...quiet, on: e.target.checked })} /> Hold messages between</label>
          <input aria-label="Quiet hours start" type="time" disabled={!quiet.on} value={quiet.start} onChange={(e) => setQuiet({ ...quiet, start: e.target.value })} className="h-8 rounded-md border border-surface-line px-2 text-sm" />
          <span className="text-sm">and</span>
          <input aria-label="Quiet hours end" type="time" disabled={!quiet.on} value={quiet.end} onChange={(e) => setQuiet({ ...quiet, end: e.target.value })} className="h-8 rounded-md border border-surface-line px-2 text-sm" />
          <span className="text-xs text-ink-muted">in each journey&apos;s time zone</span>
        </fieldset>
        <Field label="Global control group (%)" type="number" min={0} max={50} step={1} value={holdout} onChange={(e) => setHoldout(e.target.value)} hint="A fixed share of all customers who get no journey messages, to measure what all journeys add together (0–50)." className="max-w-xs" />
        {problem ? <p role="alert" className="text-sm text-red-600">{problem}</p> : null}
        <div className="flex items-center gap-3">
          <Button type="submit" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save guardrails"}</Button>
          {saved && !save.isPending ? <span role="status" className="text-sm text-emerald-700">Saved</span> : null}
        </div>
      </form>
    </Card>
  );
}
