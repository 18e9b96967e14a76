"use client";

import { useQuery } from "@tanstack/react-query";
import { useId, useRef } from "react";
import { useTRPC } from "@/components/trpc/provider";
import { renderTemplate, type Condition, type ConditionScope } from "@/server/journey/conditions";
import { channels } from "@/server/journey/schema";
import { ConditionBuilder } from "./condition-builder";
import { joinDuration, splitDuration, units } from "./duration-fields";

type Config = Record<string, unknown>;
type FieldsProps = { kind: string; config: Config; readOnly: boolean; onConfig: (next: Config) => void };

export const inputClass = "mt-1 block h-8 w-full rounded-md border border-surface-line px-2 text-sm disabled:bg-surface-sunken";
const channelLabels: Record<string, string> = { email: "Email", sms: "SMS", push: "Push", in_app: "In-app", webhook: "Webhook" };

/** A sample customer for the template preview. */
const sample: ConditionScope = {
  event: { name: "cart_abandoned", properties: { cartId: "c-1042", total: 89.9, itemCount: 3 } },
  traits: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", plan: "pro", preferredChannel: "email" },
  scores: { churnRisk: 0.72, purchasePropensity: 0.31 },
  context: { hour: 10, dayOfWeek: 2 },
};
const variables = ["traits.firstName", "traits.lastName", "traits.email", "traits.plan", "event.properties.cartId", "event.properties.total", "scores.churnRisk"];

/**
 * Friendly fields for the settings people change most (events, waits,
 * messages), above the JSON that stays for everything else. Each change writes
 * a whole config that the node kind's zod schema then checks, like the JSON does.
 */
export function FriendlyFields({ kind, config, readOnly, onConfig }: FieldsProps) {
  const where = (empty: string) => (
    <ConditionBuilder label="Only when" empty={empty} value={config.where as Condition | undefined} readOnly={readOnly} onChange={(c) => onConfig(withKey(config, "where", c))} />
  );
  if (kind === "trigger" && (typeof config.event === "string" || Object.keys(config).length === 0)) {
    return (
      <>
        <EventField label="When this event arrives" value={String(config.event ?? "")} readOnly={readOnly} onChange={(event) => onConfig({ ...config, event })} />
        {where("Every such event")}
      </>
    );
  }
  if (kind === "negative_trigger" || kind === "wait_for_event") {
    return (
      <>
        <EventField label={kind === "negative_trigger" ? "Pull customers out on" : "Wait for this event"} value={String(config.event ?? "")} readOnly={readOnly} onChange={(event) => onConfig({ ...config, event })} />
        {where("Every such event")}
      </>
    );
  }
  if (kind === "wait") return <WaitFields config={config} readOnly={readOnly} onConfig={onConfig} />;
  if (kind === "message") return <MessageFields config={config} readOnly={readOnly} onConfig={onConfig} />;
  if (kind === "branch") return <CaseFields list="cases" config={config} readOnly={readOnly} onConfig={onConfig} />;
  if (kind === "decision") return <CaseFields list="options" config={config} readOnly={readOnly} onConfig={onConfig} />;
  return null;
}

/** A config with one key set, or removed when the value is undefined. */
function withKey(config: Config, key: string, value: unknown): Config {
  const next = { ...config };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

type Case = { handle: string; label?: string; when?: Condition } & Config;

/**
 * A branch's cases (first match wins, else `else`) or a decision's options
 * (eligible when `when` holds): each with its condition; a new one gets a fresh
 * handle to connect. Renaming and removing stay in the JSON, where the edges are.
 */
function CaseFields({ list, config, readOnly, onConfig }: Omit<FieldsProps, "kind"> & { list: "cases" | "options" }) {
  const items = Array.isArray(config[list]) ? (config[list] as Case[]) : [];
  const branch = list === "cases";
  const set = (i: number, next: Case) => onConfig({ ...config, [list]: items.map((c, n) => (n === i ? next : c)) });
  const fresh = () => {
    const taken = new Set(items.map((c) => c.handle));
    let n = items.length + 1;
    while (taken.has(`${branch ? "case" : "option"}_${n}`)) n++;
    return `${branch ? "case" : "option"}_${n}`;
  };
  return (
    <div className="space-y-3">
      {items.map((c, i) => (
        <div key={i} className="rounded-md border border-surface-line p-2" data-testid={`case-${c.handle}`}>
          <p className="mb-1 text-xs font-semibold text-ink">
            {branch ? `Case ${i + 1}` : "Option"} · <span className="font-mono">{c.handle}</span>
            {c.label ? <span className="font-normal text-ink-muted"> ({c.label})</span> : null}
          </p>
          <ConditionBuilder
            label={branch ? "Goes this way when" : "Eligible when"}
            empty={branch ? "Always" : "Always eligible"}
            required={branch}
            value={c.when}
            readOnly={readOnly}
            onChange={(when) => set(i, withKey(c, "when", when) as Case)}
          />
        </div>
      ))}
      {branch ? <p className="text-xs text-ink-muted">Everyone else goes the <span className="font-mono">else</span> way.</p> : null}
      {!readOnly ? (
        <button
          type="button"
          className="text-xs font-medium text-brand-700 hover:underline"
          onClick={() => onConfig({ ...config, [list]: [...items, branch ? { handle: fresh(), when: { path: "traits.plan", op: "eq", value: "pro" } } : { handle: fresh(), label: "New option" }] })}
        >
          + {branch ? "Case" : "Option"}
        </button>
      ) : null}
    </div>
  );
}

/** An ISO 8601 duration as amount + unit; a compound one (P1DT2H) is left to the JSON. */
export function DurationInput({ label, value, onChange, fallback = "H" }: { label: string; value: string | undefined; onChange: (iso: string) => void; fallback?: (typeof units)[number]["unit"] }) {
  const split = value ? splitDuration(value) : null;
  if (value && !split) return <p className="text-xs text-ink-muted">A custom duration ({value}): edit it in the JSON.</p>;
  return (
    <div className="flex gap-2">
      <input aria-label={`${label} amount`} type="number" min={1} className={inputClass} value={split?.n ?? 1} onChange={(e) => onChange(joinDuration(Math.max(1, Math.floor(Number(e.target.value) || 1)), split?.unit ?? fallback))} />
      <select aria-label={`${label} unit`} className={inputClass} value={split?.unit ?? fallback} onChange={(e) => onChange(joinDuration(split?.n ?? 1, e.target.value as "H"))}>
        {units.map((u) => <option key={u.unit} value={u.unit}>{u.label}</option>)}
      </select>
    </div>
  );
}

export function EventField({ label, value, readOnly, onChange }: { label: string; value: string; readOnly: boolean; onChange: (v: string) => void }) {
  const trpc = useTRPC();
  const names = useQuery({ ...trpc.journey.eventNames.queryOptions(), staleTime: 60_000 });
  const list = useId();
  return (
    <label className="block text-sm font-medium text-ink-soft">
      {label}
      <input className={inputClass} list={list} value={value} disabled={readOnly} placeholder="event name, e.g. cart_abandoned" onChange={(e) => onChange(e.target.value.trim())} aria-label="Event name" />
      <datalist id={list}>{names.data?.map((n) => <option key={n} value={n} />)}</datalist>
      <span className="mt-1 block text-xs font-normal text-ink-muted">{names.data?.length ? `${names.data.length} event names seen in the last 30 days; type to pick one.` : "No events seen lately: type the name your app sends."}</span>
    </label>
  );
}

function WaitFields({ config, readOnly, onConfig }: Omit<FieldsProps, "kind">) {
  const mode = config.until === "best_time" ? "best" : config.until ? "time" : "for";
  const clock = typeof config.until === "object" && config.until ? String((config.until as { time?: unknown }).time ?? "09:00") : "09:00";
  return (
    <fieldset className="min-w-0 space-y-2 text-sm" disabled={readOnly}>
      <legend className="font-medium text-ink-soft">Wait</legend>
      <select aria-label="Wait mode" className={inputClass} value={mode} onChange={(e) => onConfig(e.target.value === "for" ? { for: "PT1H" } : e.target.value === "time" ? { until: { time: "09:00" } } : { until: "best_time" })}>
        <option value="for">for a while</option>
        <option value="time">until a time of day</option>
        <option value="best">until the customer&apos;s best time</option>
      </select>
      {mode === "for" ? (
        <DurationInput label="Wait" value={typeof config.for === "string" ? config.for : undefined} onChange={(d) => onConfig({ for: d })} />
      ) : mode === "time" ? (
        <input aria-label="Wait until time" type="time" className={inputClass} value={clock} onChange={(e) => onConfig({ until: { time: e.target.value } })} />
      ) : (
        <p className="text-xs text-ink-muted">The hour this customer most often engages, in their time zone.</p>
      )}
    </fieldset>
  );
}

function MessageFields({ config, readOnly, onConfig }: Omit<FieldsProps, "kind">) {
  const template = useRef<HTMLTextAreaElement>(null);
  const text = String(config.template ?? "");
  const insert = (variable: string) => {
    const el = template.current;
    const at = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? at;
    const before = text.slice(0, at);
    const pad = before && !/\s$/.test(before) ? " " : "";
    onConfig({ ...config, template: `${before}${pad}{{${variable}}}${text.slice(end)}` });
  };
  const preview = renderTemplate(text, sample);
  return (
    <fieldset className="min-w-0 space-y-2 text-sm" disabled={readOnly}>
      <legend className="font-medium text-ink-soft">Message</legend>
      <select aria-label="Channel" className={inputClass} value={String(config.channel ?? "email")} onChange={(e) => onConfig({ ...config, channel: e.target.value })}>
        {channels.map((c) => <option key={c} value={c}>{channelLabels[c] ?? c}</option>)}
      </select>
      {config.channel === "email" || config.channel === "push" || config.subject !== undefined ? (
        <input aria-label="Subject" className={inputClass} placeholder="Subject" value={String(config.subject ?? "")} onChange={(e) => onConfig({ ...config, subject: e.target.value || undefined })} />
      ) : null}
      <textarea ref={template} aria-label="Template" className="block min-h-20 w-full rounded-md border border-surface-line p-2 text-sm" value={text} onChange={(e) => onConfig({ ...config, template: e.target.value })} />
      <select aria-label="Insert variable" className={inputClass} value="" onChange={(e) => e.target.value && insert(e.target.value)}>
        <option value="">Insert a variable…</option>
        {variables.map((v) => <option key={v} value={v}>{v}</option>)}
      </select>
      <div className="rounded-md border border-dashed border-surface-line bg-surface-sunken p-2" data-testid="template-preview">
        <p className="text-[11px] font-medium tracking-wide text-ink-muted uppercase">Preview for Ada (sample customer)</p>
        <p className="mt-1 whitespace-pre-wrap text-sm text-ink">{preview || <span className="text-ink-faint">Empty message</span>}</p>
      </div>
    </fieldset>
  );
}
