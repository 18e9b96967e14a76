import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Simulator, simulate, validateJourney, workspaceSettingsSchema, type SimEvent } from "@/server/journey";
import { normalizeEvent, singleEventType } from "@/server/ingest/event-schema";

/**
 * `npm run --silent journey -- validate <journey.json>` and
 * `npm run --silent journey -- simulate <journey.json>… [--workspace ws.json] --events <events.ndjson> [--until <time>] [--interactive]`.
 * Output is JSON lines on stdout. Bad input: a message on stderr and exit 2.
 */
const usage = `usage:
  npm run --silent journey -- validate <journey.json>
  npm run --silent journey -- simulate <journey.json>... [--workspace <workspace.json>] (--events <events.ndjson> | --interactive) [--until <time>] [--seed <seed>]`;

function die(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    die(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    die(`${what} ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * One line of an events file: the ingestion API's event, checked as the API checks it (normalizeEvent), so a
 * simulation takes what the API takes. A timestamp is required (a simulation has no "now"), and any time is allowed.
 */
function parseEventLine(line: string, where: string): SimEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    die(`${where}: invalid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) die(`${where}: each line must be a JSON object`);
  if ((value as { timestamp?: unknown }).timestamp === undefined) die(`${where}: timestamp: is required (an ISO 8601 time with a time zone, e.g. 2026-01-01T10:00:00Z)`);
  const r = normalizeEvent(value, 0, { defaultType: singleEventType(value), now: new Date(), fallbackMessageId: () => where, timeWindow: false });
  if (!r.ok) die(`${where}: ${r.errors.map((e) => `${e.path || "event"}: ${e.message}`).join("; ")}`);
  const e = r.event;
  return {
    type: e.type,
    userId: e.userId ?? undefined,
    anonymousId: e.anonymousId ?? undefined,
    ...(e.type === "track" ? { event: e.name, properties: e.properties } : { traits: e.traits }),
    timestamp: e.timestamp.toISOString(),
    messageId: e.messageId,
  };
}

const write = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);

function loadJourneys(paths: string[]): unknown[] {
  if (paths.length === 0) die(`no journey file given\n${usage}`);
  const fileOf = new Map<string, string>();
  return paths.map((p) => {
    const doc = readJson(p, "journey");
    const errors = validateJourney(doc).filter((i) => i.severity === "error");
    if (errors.length > 0) die(`journey ${p} is invalid:\n${errors.map((i) => `  ${i.nodeId ? `[${i.nodeId}] ` : ""}${i.message}`).join("\n")}`);
    // Two journeys with one id would run side by side as one, each refusing the other's entries.
    const id = (doc as { id: string }).id;
    if (fileOf.has(id)) die(`journeys ${fileOf.get(id)} and ${p} have the same id "${id}": give each journey its own id`);
    fileOf.set(id, p);
    return doc;
  });
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const files: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--interactive") flags.interactive = true;
    else if (a.startsWith("--")) {
      const v = rest[++i];
      if (v === undefined) die(`${a} needs a value\n${usage}`);
      flags[a.slice(2)] = v;
    } else files.push(a);
  }
  if (command === "validate") {
    if (files.length !== 1) die(`validate takes one journey file\n${usage}`);
    const issues = validateJourney(readJson(files[0]!, "journey"));
    for (const issue of issues) write(issue);
    process.exit(issues.some((i) => i.severity === "error") ? 1 : 0);
  }
  if (command !== "simulate") die(`unknown command ${command ?? "(none)"}\n${usage}`);
  for (const f of Object.keys(flags)) if (!["events", "workspace", "until", "seed", "interactive"].includes(f)) die(`unknown option --${f}\n${usage}`);
  const docs = loadJourneys(files);
  const workspace = typeof flags.workspace === "string" ? readJson(flags.workspace, "workspace") : {};
  const settings = workspaceSettingsSchema.safeParse(workspace);
  if (!settings.success) die(`workspace ${String(flags.workspace)} is invalid:\n${settings.error.issues.map((i) => `  ${i.path.join(".") || "settings"}: ${i.message}`).join("\n")}`);
  const until = typeof flags.until === "string" ? new Date(flags.until) : undefined;
  if (until && Number.isNaN(until.getTime())) die("--until must be an ISO 8601 time");
  const seed = typeof flags.seed === "string" ? flags.seed : undefined;
  let sim: Simulator;
  try {
    sim = new Simulator(docs, { workspace, seed });
  } catch (err) {
    die(`invalid workspace settings: ${(err as Error).message}`);
  }

  if (flags.interactive) {
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
    let n = 0;
    for await (const line of rl) {
      n++;
      if (!line.trim()) continue;
      for (const l of sim.handle(parseEventLine(line, `stdin line ${n}`))) write(l);
      write({ type: "idle", t: sim.now?.toISOString() ?? null });
    }
    for (const l of sim.runTimersUntil(until ?? new Date(8.64e15))) write(l);
    return;
  }
  if (typeof flags.events !== "string") die(`simulate needs --events <events.ndjson> or --interactive\n${usage}`);
  let text: string;
  try {
    text = readFileSync(flags.events, "utf8");
  } catch (err) {
    die(`cannot read events ${flags.events}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const events = text
    .split("\n")
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim())
    .map(({ line, i }) => parseEventLine(line, `${flags.events}:${i + 1}`));
  for (const l of simulate(docs, events, { workspace, until, seed })) write(l);
}

main().catch((err) => die(err instanceof Error ? err.message : String(err)));
