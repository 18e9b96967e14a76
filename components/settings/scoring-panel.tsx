"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/provider";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { ErrorState, LoadingRows } from "@/components/ui/states";
import type { WorkspaceSettings } from "@/server/journey/schema";
import type { ScoreModelSummary } from "@/server/scores/model";

/** Predictive scores: how outcomes are labelled (settings) and what each model has learned (weights against the prior). */
export function ScoringPanel() {
  const trpc = useTRPC();
  const settings = useQuery(trpc.workspace.settings.queryOptions());
  const models = useQuery(trpc.workspace.scoreModels.queryOptions(undefined, { refetchInterval: 30_000 }));
  const [saved, setSaved] = useState(false);
  if (settings.isPending || models.isPending) return <Card><LoadingRows label="Loading predictive scores" /></Card>;
  if (settings.isError) return <Card><ErrorState message={settings.error.message} onRetry={() => void settings.refetch()} /></Card>;
  if (models.isError) return <Card><ErrorState message={models.error.message} onRetry={() => void models.refetch()} /></Card>;
  return <ScoringForm key={JSON.stringify(settings.data.scoring)} settings={settings.data} models={models.data} saved={saved} setSaved={setSaved} />;
}

function ScoringForm({ settings, models, saved, setSaved }: { settings: WorkspaceSettings; models: ScoreModelSummary[]; saved: boolean; setSaved: (s: boolean) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [purchaseEvent, setPurchaseEvent] = useState(settings.scoring.purchaseEvent);
  const [churnDays, setChurnDays] = useState(String(settings.scoring.churnDays));
  const [purchaseDays, setPurchaseDays] = useState(String(settings.scoring.purchaseDays));
  const save = useMutation(
    trpc.workspace.updateSettings.mutationOptions({
      onSuccess: () => {
        setSaved(true);
        void queryClient.invalidateQueries({ queryKey: trpc.workspace.settings.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.workspace.auditLog.queryKey() });
      },
    }),
  );
  const fieldErrors = save.error?.data?.zodError?.fieldErrors as Record<string, string[] | undefined> | undefined;
  const problem = save.error ? (fieldErrors ? Object.entries(fieldErrors).map(([k, v]) => `${k}: ${v?.join(", ")}`).join("; ") : save.error.message) : null;

  return (
    <Card>
      <CardHeader
        title="Predictive scores"
        description="Each customer's churnRisk and purchasePropensity (0–1), from recency, frequency, purchase value and activity trend, recomputed on every event and daily while they are silent. Use them in conditions (scores.churnRisk) and in predictive triggers."
      />
      <form
        className="flex flex-wrap items-end gap-4 border-b border-surface-line px-5 py-4"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          save.mutate({ ...settings, scoring: { purchaseEvent: purchaseEvent.trim(), churnDays: Number(churnDays), purchaseDays: Number(purchaseDays) } });
        }}
      >
        <Field label="Purchase event" value={purchaseEvent} onChange={(e) => setPurchaseEvent(e.target.value)} className="w-56" />
        <Field label="Churned after (days silent)" type="number" min={1} max={60} value={churnDays} onChange={(e) => setChurnDays(e.target.value)} className="w-48" />
        <Field label="Purchase window (days)" type="number" min={1} max={60} value={purchaseDays} onChange={(e) => setPurchaseDays(e.target.value)} className="w-44" />
        <div className="flex items-center gap-3 pb-0.5">
          <Button type="submit" disabled={save.isPending}>{save.isPending ? "Saving…" : "Save scoring"}</Button>
          {saved && !save.isPending ? <span role="status" className="text-sm text-emerald-700">Saved</span> : null}
        </div>
        <p className="w-full text-xs text-ink-muted">A purchase&apos;s revenue, total, value or amount property counts as spend. A customer silent for the churn window counts as churned.</p>
        {problem ? <p role="alert" className="w-full text-sm text-red-600">{problem}</p> : null}
      </form>
      <div className="grid gap-6 px-5 py-4 md:grid-cols-2">
        {models.map((m) => (
          <ModelView key={m.name} model={m} />
        ))}
      </div>
    </Card>
  );
}

/** Weights as diverging bars around zero (what raises the score to the right), with the prior as a tick. */
function ModelView({ model }: { model: ScoreModelSummary }) {
  const max = Math.max(1, ...model.features.flatMap((f) => [Math.abs(f.weight), Math.abs(f.prior)]));
  const rate = model.examples ? model.positives / model.examples : null;
  return (
    <section aria-label={`${model.name} model`} data-testid={`score-model-${model.name}`}>
      <h3 className="font-mono text-sm font-semibold text-ink">{model.name}</h3>
      <p className="text-xs text-ink-muted">{model.description}.</p>
      <p className="mt-1 text-xs text-ink-soft" data-testid="score-model-examples">
        {model.examples === 0
          ? "No outcomes observed yet: scores use the prior."
          : `Learned from ${model.examples.toLocaleString("en")} outcomes, ${(rate! * 100).toFixed(1)}% positive.`}
      </p>
      <ul className="mt-3 space-y-1.5">
        {model.features.map((f) => {
          const left = 50 + (Math.min(0, f.weight) / max) * 50;
          const width = (Math.abs(f.weight) / max) * 50;
          const prior = 50 + (f.prior / max) * 50;
          return (
            <li key={f.name} className="grid grid-cols-[10rem_1fr_3rem] items-center gap-2 text-xs" title={`weight ${f.weight} (prior ${f.prior})`}>
              <span className="truncate text-ink-soft">{f.label}</span>
              <span className="relative h-3 rounded bg-surface-sunken">
                <span className="absolute inset-y-0 left-1/2 w-px bg-surface-line" />
                <span className={`absolute inset-y-0.5 rounded ${f.weight >= 0 ? "bg-rose-400" : "bg-sky-400"}`} style={{ left: `${left}%`, width: `${width}%` }} />
                <span className="absolute -inset-y-0.5 w-0.5 bg-ink-soft" style={{ left: `${prior}%` }} aria-hidden />
              </span>
              <span className="text-right font-mono tabular-nums text-ink">{f.weight.toFixed(2)}</span>
            </li>
          );
        })}
      </ul>
      <p className="mt-2 text-[11px] text-ink-faint">Bars: weight now (red raises the score, blue lowers it); dark tick: the prior.</p>
    </section>
  );
}
