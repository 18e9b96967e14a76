"use client";

import { useMemo } from "react";
import { journeySettingsSchema } from "@/server/journey/schema";
import { DurationInput, EventField, inputClass } from "./inspector-fields";

type Settings = Record<string, unknown>;
type Props = { settings: Settings; name: string; readOnly: boolean; onChange: (patch: { settings?: Settings; name?: string }) => void };

const reentryLabels = {
  after_exit: "Again after they leave",
  never: "Only once, ever",
  always: "Any time (several at once)",
} as const;

const clamp = (v: string, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(Number(v) || 0)));

/**
 * Journey settings (spec "Document"): priority, re-entry and its cooldown, the
 * goal analytics measure, the holdout share and the time zone. Shown in the
 * inspector when no step is selected; every change is checked by the settings
 * schema and goes through undo and autosave like a step's.
 */
export function JourneySettingsForm({ settings, name, readOnly, onChange }: Props) {
  const parsed = journeySettingsSchema.safeParse(settings);
  const s = parsed.success ? parsed.data : journeySettingsSchema.parse({});
  const zones = useMemo(() => (typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"]), []);
  const set = (key: string, value: unknown) => {
    const next = { ...settings };
    if (value === undefined) delete next[key];
    else next[key] = value;
    onChange({ settings: next });
  };
  const goal = s.goal;
  return (
    <fieldset className="min-w-0 space-y-4 text-sm" disabled={readOnly} data-testid="journey-settings">
      <div>
        <legend className="text-xs font-semibold tracking-wide text-ink-muted uppercase">Journey settings</legend>
        <p className="mt-1 text-xs text-ink-muted">Select a step to edit it instead.</p>
      </div>

      <label className="block font-medium text-ink-soft">
        Name
        <input aria-label="Journey name" className={inputClass} value={name} maxLength={200} onChange={(e) => onChange({ name: e.target.value })} />
        {!name.trim() ? <span className="block text-xs font-normal text-red-600">A journey needs a name; until it has one the old name is kept.</span> : null}
      </label>

      <section className="space-y-1">
        <EventField label="Goal: conversion event" value={goal?.event ?? ""} readOnly={readOnly} onChange={(event) => set("goal", event ? { within: "P7D", exitOnGoal: true, ...goal, event } : undefined)} />
        {goal ? (
          <>
            <p className="text-xs font-medium text-ink-soft">Counts when it happens within</p>
            <DurationInput label="Goal window" fallback="D" value={goal.within} onChange={(within) => set("goal", { ...goal, within })} />
            <label className="flex items-center gap-2 text-xs text-ink-soft">
              <input type="checkbox" checked={goal.exitOnGoal} onChange={(e) => set("goal", { ...goal, exitOnGoal: e.target.checked })} />
              Customers leave the journey when they convert
            </label>
          </>
        ) : (
          <p className="text-xs text-ink-muted">No goal: analytics show entries and exits but no conversion or lift.</p>
        )}
      </section>

      <label className="block font-medium text-ink-soft">
        Who may enter again
        <select aria-label="Re-entry" className={inputClass} value={s.reentry} onChange={(e) => set("reentry", e.target.value)}>
          {Object.entries(reentryLabels).map(([v, l]) => <option key={v} value={v}>{l}</option>)}
        </select>
      </label>
      {s.reentry !== "never" ? (
        <div className="space-y-1">
          <label className="flex items-center gap-2 text-xs text-ink-soft">
            <input type="checkbox" aria-label="Cooldown before re-entry" checked={s.reentryCooldown !== undefined} onChange={(e) => set("reentryCooldown", e.target.checked ? "P7D" : undefined)} />
            Wait before they may enter again
          </label>
          {s.reentryCooldown !== undefined ? <DurationInput label="Cooldown" fallback="D" value={s.reentryCooldown} onChange={(d) => set("reentryCooldown", d)} /> : null}
        </div>
      ) : null}

      <label className="block font-medium text-ink-soft">
        Holdout group: {s.holdoutPercent}% of entrants
        <input aria-label="Holdout percent" type="range" min={0} max={50} step={1} className="mt-1 block w-full" value={s.holdoutPercent} onChange={(e) => set("holdoutPercent", clamp(e.target.value, 0, 50))} />
        <span className="block text-xs font-normal text-ink-muted">
          {s.holdoutPercent > 0 ? "They enter and are tracked for the goal but get no message: the journey's lift is measured against them." : "No holdout: the journey's lift cannot be measured."}
        </span>
      </label>

      <label className="block font-medium text-ink-soft">
        Priority (0–100)
        <input aria-label="Priority" type="number" min={0} max={100} className={inputClass} value={s.priority} onChange={(e) => set("priority", clamp(e.target.value, 0, 100))} />
        <span className="block text-xs font-normal text-ink-muted">When several journeys want the same customer at once, the highest priority wins.</span>
      </label>

      <label className="block font-medium text-ink-soft">
        Time zone
        <select aria-label="Time zone" className={inputClass} value={s.timezone} onChange={(e) => set("timezone", e.target.value)}>
          <option value="customer">Each customer&apos;s own (else UTC)</option>
          {zones.map((z) => <option key={z} value={z}>{z}</option>)}
        </select>
        <span className="block text-xs font-normal text-ink-muted">Used by quiet hours, waits until a time of day, and hour/day conditions.</span>
      </label>

      {!parsed.success ? (
        <p role="alert" className="whitespace-pre-wrap text-xs text-red-600">
          {parsed.error.issues.map((i) => `settings.${i.path.join(".")}: ${i.message}`).join("\n")}
        </p>
      ) : null}
    </fieldset>
  );
}
