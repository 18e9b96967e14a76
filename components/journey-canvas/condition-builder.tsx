"use client";

import { useId, useState } from "react";
import { conditionOps, type Condition, type ConditionOp } from "@/server/journey/conditions";
import { describeCondition, fromGroup, isGroup, listOp, opLabels, parseList, parseValue, pathSuggestions, toGroup, valueless, valueText, type Group } from "@/server/journey/condition-text";

/**
 * The condition builder for `where` / `when` (spec "Conditions"): rows of
 * path · operator · value, matched all or any, with nested groups and "not",
 * and the whole condition read back in plain words. Every edit writes a
 * condition the node kind's schema accepts (or none, when the last row goes).
 */
type Props = {
  label: string;
  value: Condition | undefined;
  readOnly: boolean;
  onChange: (next: Condition | undefined) => void;
  /** Shown when there is no condition, e.g. "Every such event" or "Always". */
  empty: string;
  /** A case must keep a condition: removing the last row writes "always" ({ all: [] }) instead of none. */
  required?: boolean;
};

const field = "h-7 min-w-0 rounded border border-surface-line bg-white px-1.5 text-xs disabled:bg-surface-sunken";
const newLeaf = (): Condition => ({ path: "event.properties.total", op: "gte", value: 50 });

export function ConditionBuilder({ label, value, readOnly, onChange, empty, required }: Props) {
  const group = toGroup(value);
  const list = useId();
  const write = (g: Group) => onChange(fromGroup(g) ?? (required ? { all: [] } : undefined));
  return (
    <fieldset className="min-w-0 space-y-1.5 text-sm" disabled={readOnly} data-testid="condition-builder">
      <legend className="font-medium text-ink-soft">{label}</legend>
      <p className="rounded bg-surface-sunken px-2 py-1 text-xs text-ink-soft" data-testid="condition-summary">
        {value && !(isGroup(value) && toGroup(value).items.length === 0) ? describeCondition(value) : empty}
      </p>
      <datalist id={list}>{pathSuggestions().map((p) => <option key={p} value={p} />)}</datalist>
      {group.items.length > 0 ? <GroupRows group={group} depth={0} list={list} onChange={write} /> : null}
      {!readOnly ? (
        <div className="flex gap-2">
          <button type="button" className="text-xs font-medium text-brand-700 hover:underline" onClick={() => write({ ...group, items: [...group.items, newLeaf()] })}>
            + Condition
          </button>
          {group.items.length > 0 ? (
            <button type="button" className="text-xs font-medium text-brand-700 hover:underline" onClick={() => write({ ...group, items: [...group.items, { any: [newLeaf()] }] })}>
              + Group
            </button>
          ) : null}
        </div>
      ) : null}
    </fieldset>
  );
}

function GroupRows({ group, depth, list, onChange }: { group: Group; depth: number; list: string; onChange: (g: Group) => void }) {
  const set = (i: number, c: Condition | null) => onChange({ ...group, items: c ? group.items.map((x, n) => (n === i ? c : x)) : group.items.filter((_, n) => n !== i) });
  return (
    <div className="space-y-1">
      {group.items.length > 1 ? (
        <select aria-label="Match" className={field} value={group.mode} onChange={(e) => onChange({ ...group, mode: e.target.value as Group["mode"] })}>
          <option value="all">Match all of these</option>
          <option value="any">Match any of these</option>
        </select>
      ) : null}
      {group.items.map((item, i) => (
        <Row key={i} item={item} depth={depth} list={list} onChange={(c) => set(i, c)} />
      ))}
    </div>
  );
}

/** One item: a leaf, a nested group, or either under "not" (a toggle on the row). */
function Row({ item, depth, list, onChange }: { item: Condition; depth: number; list: string; onChange: (c: Condition | null) => void }) {
  const negated = "not" in item;
  const inner = "not" in item ? item.not : item;
  const wrap = (c: Condition) => onChange(negated ? { not: c } : c);
  const notToggle = (
    <button
      type="button"
      aria-pressed={negated}
      aria-label="Not"
      title="Negate this condition"
      onClick={() => onChange(negated ? inner : { not: inner })}
      className={`h-7 shrink-0 rounded px-1 text-[10px] font-semibold ${negated ? "bg-red-100 text-red-700" : "text-ink-faint hover:bg-surface-sunken"}`}
    >
      NOT
    </button>
  );
  const remove = (
    <button type="button" aria-label="Remove condition" title="Remove" onClick={() => onChange(null)} className="h-7 shrink-0 px-1 text-ink-faint hover:text-red-600">
      ×
    </button>
  );
  if (isGroup(inner) || "not" in inner) {
    const g = toGroup(inner);
    return (
      <div className="rounded border border-dashed border-surface-line p-1.5" data-testid="condition-group">
        <div className="mb-1 flex items-center justify-between">
          {notToggle}
          <span className="text-[11px] text-ink-muted">group</span>
          {remove}
        </div>
        <GroupRows group={g} depth={depth + 1} list={list} onChange={(next) => (next.items.length === 0 ? onChange(null) : wrap(next.mode === "all" ? { all: next.items } : { any: next.items }))} />
        <div className="mt-1 flex gap-2">
          <button type="button" className="text-[11px] font-medium text-brand-700 hover:underline" onClick={() => wrap(g.mode === "all" ? { all: [...g.items, newLeaf()] } : { any: [...g.items, newLeaf()] })}>
            + Condition
          </button>
          {depth < 1 ? (
            <button type="button" className="text-[11px] font-medium text-brand-700 hover:underline" onClick={() => wrap(g.mode === "all" ? { all: [...g.items, { any: [newLeaf()] }] } : { any: [...g.items, { all: [newLeaf()] }] })}>
              + Group
            </button>
          ) : null}
        </div>
      </div>
    );
  }
  return (
    <div className="space-y-1 rounded border border-surface-line p-1.5" data-testid="condition-row">
      <div className="flex items-center gap-1">
        {notToggle}
        <input aria-label="Condition path" list={list} className={`${field} flex-1 font-mono`} value={inner.path} placeholder="traits.plan" onChange={(e) => wrap({ ...inner, path: e.target.value.trim() })} />
        {remove}
      </div>
      <div className="flex items-center gap-1">
        <select
          aria-label="Condition operator"
          className={field}
          value={inner.op}
          onChange={(e) => {
            const op = e.target.value as ConditionOp;
            if (valueless(op)) return wrap({ path: inner.path, op });
            const value = listOp(op) ? (Array.isArray(inner.value) ? inner.value : inner.value === undefined ? [] : [inner.value]) : Array.isArray(inner.value) ? inner.value[0] ?? "" : inner.value ?? "";
            wrap({ path: inner.path, op, value });
          }}
        >
          {conditionOps.map((op) => <option key={op} value={op}>{opLabels[op]}</option>)}
        </select>
        {valueless(inner.op) ? null : <ValueInput op={inner.op} value={inner.value} onChange={(value) => wrap({ ...inner, value })} />}
      </div>
    </div>
  );
}

/** The value box keeps what is typed ("5." on the way to "5.5") while the condition holds its parsed value. */
function ValueInput({ op, value, onChange }: { op: ConditionOp; value: unknown; onChange: (v: unknown) => void }) {
  const parse = listOp(op) ? parseList : parseValue;
  const [text, setText] = useState(() => valueText(value));
  const current = JSON.stringify(parse(text)) === JSON.stringify(value) ? text : valueText(value);
  return (
    <input
      aria-label="Condition value"
      className={`${field} flex-1`}
      value={current}
      placeholder={listOp(op) ? "a, b, c" : "value"}
      title={'Numbers and true/false are read as such; put text in "quotes" to keep it text.'}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parse(e.target.value));
      }}
    />
  );
}
