"use client";

import { useState } from "react";
import { addDuration } from "@/server/journey/durations";
import { isNodeKind, nodeKinds, Simulator, validateJourney, type SimLine } from "@/server/journey";
import { describeReason } from "@/components/customers/step-reasons";
import type { Draft } from "./document-graph";
import { parseFriendlyDuration } from "./duration-fields";
import { stepNames } from "@/components/journeys/step-names";

type TestEvent = { event: string; after: string; properties: string };
export type TestResult = { lines: SimLine[]; start: Date; names?: Map<string, string> };

/** Ready scenarios from the journey itself: enter by its trigger, convert, or hit a negative trigger. */
function scenarios(doc: Draft): { name: string; events: TestEvent[] }[] {
  const nodes = Array.isArray(doc.nodes) ? doc.nodes : [];
  const trigger = nodes.find((n) => n.kind === "trigger")?.config as { event?: string; behavior?: { event: string } } | undefined;
  const entry = trigger?.event ?? trigger?.behavior?.event ?? "signup";
  const goal = ((doc.settings as { goal?: { event?: string } } | undefined)?.goal?.event) ?? null;
  const negative = (nodes.find((n) => n.kind === "negative_trigger")?.config as { event?: string } | undefined)?.event ?? null;
  const out = [{ name: "Enters and waits it out", events: [{ event: entry, after: "0", properties: '{ "total": 80, "cartId": "c1" }' }] }];
  if (goal) out.push({ name: `Converts (${goal}) after 2 h`, events: [{ event: entry, after: "0", properties: '{ "total": 80, "cartId": "c1" }' }, { event: goal, after: "2h", properties: "{}" }] });
  if (negative) out.push({ name: `Pulled out by ${negative}`, events: [{ event: entry, after: "0", properties: '{ "total": 80, "cartId": "c1" }' }, { event: negative, after: "30m", properties: "{}" }] });
  return out;
}

const typeText: Record<string, string> = { enter: "Entered", node: "Step", message: "Message sent", suppressed: "Suppressed", blocked: "Blocked", held: "Held (quiet hours)", decision: "Decision", goal: "Goal reached", exit: "Exited", refused: "Entry refused" };

function offset(start: Date, t: string): string {
  const min = Math.round((Date.parse(t) - start.getTime()) / 60_000);
  if (min < 60) return `+${min} min`;
  if (min < 48 * 60) return `+${Math.floor(min / 60)} h ${min % 60 ? `${min % 60} min` : ""}`;
  return `+${Math.floor(min / 1440)} d ${Math.floor((min % 1440) / 60)} h`;
}

/**
 * Test mode: pick a test customer and a sequence of events (or a ready
 * scenario); the same pure simulator as the runtime runs here in the browser;
 * the path taken lights up on the canvas and the timeline lists every effect.
 */
export function TestMode({ getDocument, onResult, onClose }: { getDocument: () => Draft; onResult: (r: TestResult | null) => void; onClose: () => void }) {
  const [traits, setTraits] = useState('{ "firstName": "Ann", "email": "ann@example.com", "timezone": "Europe/Paris" }');
  const [events, setEvents] = useState<TestEvent[]>(() => scenarios(getDocument())[0]!.events);
  const [result, setResult] = useState<TestResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = () => {
    setError(null);
    // A run that cannot start clears the last one's trace (on the panel and the canvas): left there, it read as this run's.
    const fail = (message: string) => {
      setError(message);
      setResult(null);
      onResult(null);
    };
    const doc = getDocument();
    const errors = validateJourney(doc).filter((i) => i.severity === "error");
    if (errors.length) return fail(`Fix ${errors.length} error(s) first: ${errors[0]!.message}`);
    let parsedTraits: Record<string, unknown>;
    try {
      parsedTraits = JSON.parse(traits);
    } catch {
      return fail("Traits must be a JSON object");
    }
    if (typeof parsedTraits !== "object" || parsedTraits === null || Array.isArray(parsedTraits)) return fail("Traits must be a JSON object: { … }");
    const start = new Date(Date.UTC(2026, 0, 5, 10, 0, 0));
    const sim = new Simulator([doc]);
    const lines: SimLine[] = [];
    lines.push(...sim.handle({ type: "identify", userId: "test-customer", traits: parsedTraits, timestamp: start.toISOString() }));
    let at = start;
    for (const [i, e] of events.entries()) {
      const d = parseFriendlyDuration(e.after);
      if (!d) return fail(`Event ${i + 1}: "after" must be a delay such as 0, 30m, 2h or 1d 12h (not "${e.after}")`);
      at = addDuration(at, d);
      let properties: Record<string, unknown>;
      try {
        properties = JSON.parse(e.properties || "{}");
      } catch {
        return fail(`Event ${i + 1}: properties must be JSON`);
      }
      lines.push(...sim.handle({ userId: "test-customer", event: e.event, properties, timestamp: at.toISOString() }));
    }
    lines.push(...sim.runTimersUntil(addDuration(at, { days: 60 })));
    // Steps by their names, as on the canvas (the trace has their ids).
    const names = stepNames((Array.isArray(doc.nodes) ? doc.nodes : []).map((n) => ({ id: n.id, name: n.label || (isNodeKind(n.kind) ? nodeKinds[n.kind].label : n.id) })));
    const r = { lines, start, names };
    setResult(r);
    onResult(r);
  };

  return (
    <div className="flex h-full flex-col gap-3 overflow-y-auto p-4 text-sm" data-testid="test-mode">
      <div className="flex items-center justify-between">
        <p className="font-semibold text-ink">Test mode</p>
        <button type="button" className="text-xs text-ink-muted underline" onClick={() => {
            onResult(null);
            onClose();
          }}>Close</button>
      </div>
      <label className="block text-xs font-medium text-ink-soft">
        Test customer traits
        <textarea aria-label="Test customer traits" className="mt-1 h-16 w-full rounded-md border border-surface-line p-2 font-mono text-xs" value={traits} onChange={(e) => setTraits(e.target.value)} />
      </label>
      <div>
        <p className="text-xs font-medium text-ink-soft">Scenario</p>
        <div className="mt-1 flex flex-wrap gap-1">
          {scenarios(getDocument()).map((s) => (
            <button key={s.name} type="button" className="rounded-full border border-surface-line px-2 py-0.5 text-xs hover:bg-surface-sunken" onClick={() => setEvents(s.events)}>
              {s.name}
            </button>
          ))}
        </div>
      </div>
      <ol className="space-y-2">
        {events.map((e, i) => (
          <li key={i} className="rounded-md border border-surface-line p-2">
            <div className="flex gap-2">
              <input aria-label={`Event ${i + 1} name`} className="h-7 min-w-0 flex-1 rounded border border-surface-line px-2 text-xs" value={e.event} onChange={(x) => setEvents(events.map((y, j) => (j === i ? { ...y, event: x.target.value } : y)))} />
              <input aria-label={`Event ${i + 1} after`} className="h-7 w-20 rounded border border-surface-line px-2 font-mono text-xs" value={e.after} title="Time after the previous event: 0, 30m, 2h, 1d 12h (or ISO, PT2H)" onChange={(x) => setEvents(events.map((y, j) => (j === i ? { ...y, after: x.target.value } : y)))} />
              <button type="button" aria-label={`Remove event ${i + 1}`} className="text-xs text-ink-faint hover:text-red-600" onClick={() => setEvents(events.filter((_, j) => j !== i))}>✕</button>
            </div>
            <input aria-label={`Event ${i + 1} properties`} className="mt-1 h-7 w-full rounded border border-surface-line px-2 font-mono text-xs" value={e.properties} onChange={(x) => setEvents(events.map((y, j) => (j === i ? { ...y, properties: x.target.value } : y)))} />
          </li>
        ))}
      </ol>
      <div className="flex gap-2">
        <button type="button" className="rounded-md border border-surface-line px-2 py-1 text-xs" onClick={() => setEvents([...events, { event: "", after: "1h", properties: "{}" }])}>+ Event</button>
        <button type="button" className="rounded-md bg-brand-600 px-3 py-1 text-xs font-medium text-white" onClick={run}>Run test</button>
      </div>
      {error ? <p role="alert" className="text-xs text-red-600">{error}</p> : null}
      {result ? (
        <ol className="space-y-1 border-t border-surface-line pt-2" data-testid="test-timeline">
          {result.lines.map((l, i) => (
            <li key={i} className="flex gap-2 text-xs">
              <span className="w-16 shrink-0 text-ink-faint">{offset(result.start, l.t)}</span>
              <span className="text-ink">
                {typeText[l.type] ?? l.type}
                {l.node ? <span className="text-ink-muted"> · {result.names?.get(String(l.node)) ?? String(l.node)}</span> : null}
                {l.handle ? <span className="text-ink-muted"> → {String(l.handle)}</span> : null}
                {l.reason ? <span className="text-ink-muted"> ({describeReason(l as Record<string, unknown>) ?? String(l.reason)})</span> : null}
                {l.type === "enter" ? <span className="text-ink-muted"> ({String(l.group)})</span> : null}
              </span>
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}
