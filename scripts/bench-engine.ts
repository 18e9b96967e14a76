import { spawnSync } from "node:child_process";
import { compileJourney, orchestrate, timersOf, type CustomerState, type LiveProgram, type StepContext, type StepInput, type Timer } from "@/server/journey";
import { journey } from "@/server/journey/test-helpers";
import { workspaceSettingsSchema } from "@/server/journey/schema";

/**
 * `npm run bench:engine`: steps per second on one core of the pure engine
 * (orchestrate: one input for one customer, state in and out), for
 *   A. trigger → branch → message, and
 *   B. a journey with frequency caps, quiet hours and a suppressing negative
 *      trigger, over 1,000,000 distinct customers.
 * and, for information (no goal), C. returning customers: each with 20 days of
 *   activity and a few instances waiting (one customer's state is copied in
 *   every call, as the runtime's are).
 * A "step" is one orchestrate call (one input handled for one customer); only
 * those calls are timed, not the building of their inputs.
 *
 * One core means the whole process on one core: on Linux the script runs itself again under `taskset -c
 * $BENCH_CPU` (CPU 0 unless told; BENCH_PIN=0 runs where it is), with V8's garbage collector on the main thread
 * (--single-threaded-gc). Unpinned, the collector's helper threads ran on the other core, so the figure was not one
 * core's; pinned with them, they only took turns with the main thread on that core (and cost it about 8%).
 */
const customers = Number(process.argv[2] ?? 1_000_000);
if (!process.env.WAYMARK_BENCH_ONE_CORE && process.env.BENCH_PIN !== "0") {
  const cpu = process.env.BENCH_CPU ?? "0";
  const node = [...process.execArgv, "--single-threaded-gc", ...process.argv.slice(1)];
  const env = { ...process.env, WAYMARK_BENCH_ONE_CORE: `CPU ${cpu}` };
  // Can this process be pinned there? No taskset (not Linux), or a CPU this process may not use: it runs where the
  // system puts it, still with the collector on the main thread, and says so.
  const probe = spawnSync("taskset", ["-c", cpu, "true"], { encoding: "utf8" });
  const pinned = !probe.error && probe.status === 0;
  const why = probe.error ? "no taskset" : `taskset -c ${cpu}: ${(probe.stderr || "refused").trim().split("\n")[0]}`;
  const child = pinned
    ? spawnSync("taskset", ["-c", cpu, process.execPath, ...node], { stdio: "inherit", env })
    : spawnSync(process.execPath, node, { stdio: "inherit", env: { ...env, WAYMARK_BENCH_ONE_CORE: `not pinned (${why})` } });
  process.exit(child.status ?? 1);
}

const simple = compileJourney(
  journey("bench-simple", [["t", "trigger", { event: "buy" }], ["b", "branch", { cases: [{ handle: "big", when: { path: "event.properties.total", op: "gte", value: 100 } }] }], ["m1", "message", { channel: "email", template: "Thanks {{traits.firstName}}" }], ["m2", "message", { channel: "push", template: "Thanks" }]], ["t>b", "b:big>m1", "b:else>m2"], { reentry: "always" }),
  1,
);
const guarded = compileJourney(
  journey(
    "bench-guarded",
    [
      ["t", "trigger", { event: "visit" }],
      ["m", "message", { channel: "email", template: "Hello {{traits.firstName}}" }],
      ["g", "guardrail", { frequencyCap: [{ channel: "any", max: 2, per: "P1D" }, { channel: "email", max: 5, per: "P7D" }], quietHours: { start: "22:00", end: "07:00" } }],
      ["n", "negative_trigger", { event: "refund", effect: { suppress: "P2D" } }],
    ],
    ["t>m"],
    { reentry: "always", timezone: "Europe/Paris" },
  ),
  1,
);

const workspace = workspaceSettingsSchema.parse({ frequencyCap: [{ channel: "any", max: 3, per: "P1D" }] });
/**
 * A customer's context as the runtime builds it (process-partitions; the simulator does the same): one object literal.
 * Not `{ ...base, customerId }`, as this script did until now: on Node 20, an object made by a spread followed by more
 * properties has a shape on which reads are slow, above all of a property it lacks (`ctx.scores`, `ctx.unsubscribed`:
 * in a microbenchmark, three reads of such an object took 270–380 ns, of a literal 2 ns). The engine reads the context
 * a dozen times per step, so the bench measured that instead of the engine: A ran at 255–300k steps/s with such
 * contexts, 500k with literals.
 */
const contextFor = (customerId: string): StepContext => ({ customerId, seed: "bench", workspace, unsubscribed: false, decisionStats: undefined, scoreModels: undefined, modelChoices: undefined });
function bench(name: string, programs: LiveProgram[], makeInput: (i: number) => StepInput, n: number, stateOf: (i: number) => CustomerState | null = () => null) {
  let effects = 0;
  // Warm up the JIT.
  for (let i = 0; i < 20_000; i++) orchestrate(programs, stateOf(i), makeInput(i), contextFor(`w${i}`));
  // Only orchestrate is timed: inputs and contexts (the caller's work) are built beforehand, a chunk at a time.
  const chunk = 1_000;
  let elapsed = 0n;
  for (let from = 0; from < n; from += chunk) {
    const inputs: StepInput[] = [];
    const contexts: StepContext[] = [];
    const states: (CustomerState | null)[] = [];
    for (let i = from; i < Math.min(n, from + chunk); i++) {
      inputs.push(makeInput(i));
      contexts.push(contextFor(`c${i}`));
      states.push(stateOf(i));
    }
    const start = process.hrtime.bigint();
    for (let j = 0; j < inputs.length; j++) effects += orchestrate(programs, states[j]!, inputs[j]!, contexts[j]!).effects.length;
    elapsed += process.hrtime.bigint() - start;
  }
  const seconds = Number(elapsed) / 1e9;
  console.log(`${name}: ${n.toLocaleString("en")} steps in ${seconds.toFixed(2)} s = ${Math.round(n / seconds).toLocaleString("en")} steps/s on one core (${(effects / n).toFixed(1)} effects/step)`);
}

const base = Date.parse("2026-06-01T10:00:00Z");
const event = (name: string, i: number, properties: Record<string, unknown>): StepInput => ({
  kind: "event",
  event: { id: `e${i}`, type: "track", name, properties, traits: {}, timestamp: new Date(base + (i % 86_400) * 1000).toISOString() },
});

const gc = process.execArgv.includes("--single-threaded-gc") ? "garbage collector on the main thread" : "garbage collector with its helper threads";
console.log(`node ${process.version}, ${customers.toLocaleString("en")} distinct customers per scenario; ${process.env.WAYMARK_BENCH_ONE_CORE ?? "not pinned"}, ${gc}`);
bench("A trigger → branch → message", [{ program: simple, acceptsEntries: true }], (i) => event("buy", i, { total: i % 200 }), customers);
bench("B caps + quiet hours + suppression", [{ program: guarded, acceptsEntries: true }], (i) => event(i % 10 === 0 ? "refund" : "visit", i, {}), customers);

// C. Returning customers: 1,000 distinct histories (20 days of visits, the last few entries still waiting), each reused by many steps.
const waiting = compileJourney(
  journey(
    "bench-returning",
    [
      ["t", "trigger", { event: "visit" }],
      ["w", "wait", { for: "P3D" }],
      ["m", "message", { channel: "email", template: "Still thinking about it, {{traits.firstName}}?" }],
    ],
    ["t>w", "w>m"],
    { reentry: "always", timezone: "Europe/Paris" },
  ),
  1,
);
const returningPrograms: LiveProgram[] = [{ program: guarded, acceptsEntries: true }, { program: waiting, acceptsEntries: true }];
/** The customer's earliest timer, if any. */
const nextTimer = (state: CustomerState | null): Timer | undefined => (state ? timersOf(state).sort((x, y) => (x.dueAt < y.dueAt ? -1 : 1))[0] : undefined);
const histories: CustomerState[] = [];
for (let c = 0; c < 1_000; c++) {
  let state: CustomerState | null = null;
  const ctx = contextFor(`r${c}`);
  for (let d = 20; d >= 1; d--) {
    const at = base - d * 86_400_000 + (c % 600) * 60_000;
    // The timers due before this visit fire first, as the runtime fires them.
    for (let due = nextTimer(state); due && Date.parse(due.dueAt) <= at; due = nextTimer(state)) {
      const input: StepInput = "score" in due ? { kind: "score", at: due.dueAt } : { kind: "timer", instanceId: due.instanceId, seq: due.seq, at: due.dueAt };
      state = orchestrate(returningPrograms, state, input, ctx).state;
    }
    state = orchestrate(returningPrograms, state, { kind: "event", event: { id: `h${c}-${d}`, type: "track", name: "visit", properties: { page: "/pricing" }, traits: {}, timestamp: new Date(at).toISOString() } }, ctx).state;
  }
  histories.push(state!);
}
const returning = Math.max(1, Math.round(customers / 5));
const sample = histories[0]!;
console.log(`C: each history has ${sample.instances.length} instances waiting, ${sample.recent.length} recent events, ${sample.sent.length} messages sent; ${JSON.stringify(sample).length.toLocaleString("en")} bytes of JSON`);
bench("C returning customers (information)", returningPrograms, (i) => event("visit", i, { page: "/cart" }), returning, (i) => histories[i % histories.length]!);
