import { parseArgs } from "node:util";
import { Simulator } from "@/server/journey";
import { seededRandom } from "@/server/journey/hash";

/**
 * `npm run eval:decisions`: does the decision node learn? A population with
 * KNOWN conversion probabilities per option and context (preferred channel,
 * lifecycle, hour; devices vary but do not matter) visits one by one; each
 * visit runs through the real engine (the simulator: same orchestrator,
 * policies and learning as the runtime), the bandit picks an option, the
 * customer converts with that option's true probability and, if so, buys two
 * hours later, which the goal credits back to the decision. Rewards are
 * expected values (the chosen option's true probability), so the figures
 * compare policies without sampling noise; realised conversions are printed too.
 *
 * Prints the bandit's cumulative reward against the oracle (best option for
 * each customer's context) and against uniform random choice. Goal: regret
 * ≤ 5% of the oracle's reward after 10,000 decisions. Exit 1 when missed.
 */
const { values } = parseArgs({
  options: { decisions: { type: "string", default: "10000" }, seed: { type: "string", default: "eval" }, seeds: { type: "string" }, "max-regret": { type: "string", default: "0.05" } },
});
const total = Number(values.decisions);
const maxRegret = Number(values["max-regret"]);
if (!Number.isInteger(total) || total < 100 || total > 1_000_000) {
  console.error("--decisions must be an integer between 100 and 1,000,000");
  process.exit(2);
}

const options = [
  { handle: "email_offer", label: "Email offer", channel: "email" },
  { handle: "push_nudge", label: "Push nudge", channel: "push" },
  { handle: "sms_discount", label: "SMS discount", channel: "sms" },
] as const;
type Handle = (typeof options)[number]["handle"];
type Ctx = { preferredChannel: "email" | "push"; lifecycle: "new" | "active"; device: "mobile" | "desktop"; hour: number };

/** The truth the bandit must discover: the right option depends on channel and lifecycle, a little on the hour. */
function truth(h: Handle, c: Ctx): number {
  const evening = c.hour >= 18;
  switch (h) {
    case "email_offer":
      return 0.08 + (c.preferredChannel === "email" ? 0.08 : 0);
    case "push_nudge":
      return 0.07 + (c.preferredChannel === "push" ? 0.08 : 0) + (evening ? 0.02 : 0);
    case "sms_discount":
      return 0.05 + (c.lifecycle === "new" ? 0.12 : 0);
  }
}

const journey = {
  format: "waymark.journey/v1",
  id: "nba-eval",
  name: "Next best action (evaluation)",
  settings: { goal: { event: "purchase", within: "P3D" }, reentry: "never", timezone: "UTC" },
  nodes: [
    { id: "visit", kind: "trigger", config: { event: "visit" } },
    { id: "nba", kind: "decision", config: { policy: "bandit", options: options.map((o) => ({ ...o })) } },
    ...options.map((o) => ({ id: `send_${o.handle}`, kind: "message", config: { channel: o.channel, template: o.label } })),
  ],
  edges: [{ from: "visit", to: "nba" }, ...options.map((o) => ({ from: "nba", handle: o.handle, to: `send_${o.handle}` }))],
};

function evaluate(seed: string): number {
  const sim = new Simulator([journey], { seed });
  const rand = seededRandom("population", seed);
  const start = Date.parse("2026-01-05T00:00:00Z");
  const spacingMs = 5 * 60_000;
  const buyDelayMs = 2 * 3600_000;
  const pendingBuys: { at: number; userId: string }[] = [];
  let oracle = 0;
  let uniform = 0;
  let bandit = 0;
  let converted = 0;
  let fallbacks = 0;
  const checkpoints = new Set([1000, 2500, 5000, total]);
  const chosen: Record<string, number> = {};
  const started = performance.now();
  console.log(`eval:decisions: ${total} decisions, seed ${seed}`);
  console.log("decisions   oracle   bandit  uniform  regret(bandit)  regret(uniform)");

  for (let i = 1; i <= total; i++) {
    const at = start + i * spacingMs;
    while (pendingBuys.length && pendingBuys[0]!.at <= at) {
      const b = pendingBuys.shift()!;
      sim.handle({ type: "track", userId: b.userId, event: "purchase", timestamp: new Date(b.at).toISOString() });
    }
    const ctx: Ctx = {
      preferredChannel: rand() < 0.5 ? "email" : "push",
      lifecycle: rand() < 0.4 ? "new" : "active",
      device: rand() < 0.6 ? "mobile" : "desktop",
      hour: new Date(at).getUTCHours(),
    };
    const userId = `u${i}`;
    sim.handle({ type: "identify", userId, traits: { preferredChannel: ctx.preferredChannel, lifecycle: ctx.lifecycle, device: ctx.device }, timestamp: new Date(at - 1000).toISOString() });
    const lines = sim.handle({ type: "track", userId, event: "visit", timestamp: new Date(at).toISOString() });
    const decision = lines.find((l) => l.type === "decision");
    const handle = decision?.handle as Handle | "fallback" | undefined;
    const probs = options.map((o) => truth(o.handle, ctx));
    oracle += Math.max(...probs);
    uniform += probs.reduce((a, b) => a + b, 0) / probs.length;
    if (!handle || handle === "fallback") fallbacks++;
    else {
      chosen[handle] = (chosen[handle] ?? 0) + 1;
      const p = truth(handle, ctx);
      bandit += p;
      if (rand() < p) {
        converted++;
        pendingBuys.push({ at: at + buyDelayMs, userId });
      }
    }
    if (checkpoints.has(i)) {
      const pct = (x: number) => `${((100 * (oracle - x)) / oracle).toFixed(1).padStart(6)}%`;
      console.log(`${String(i).padStart(9)} ${oracle.toFixed(1).padStart(8)} ${bandit.toFixed(1).padStart(8)} ${uniform.toFixed(1).padStart(8)}  ${pct(bandit).padStart(14)}  ${pct(uniform).padStart(15)}`);
    }
  }

  const regret = (oracle - bandit) / oracle;
  console.log(`chosen: ${Object.entries(chosen).map(([h, n]) => `${h} ${n}`).join(", ")}; fallbacks ${fallbacks}; realised conversions ${converted}`);
  console.log(`reward: bandit ${bandit.toFixed(1)}, oracle ${oracle.toFixed(1)}, uniform ${uniform.toFixed(1)}; regret ${(100 * regret).toFixed(2)}% of the oracle (goal ≤ ${(100 * maxRegret).toFixed(0)}%); bandit earns ${(100 * (bandit / uniform - 1)).toFixed(1)}% more than uniform`);
  console.log(`took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return regret;
}

// `--seeds a,b,c`: the same evaluation under several seeds (populations and bandit draws), then the mean and the worst.
const seeds = values.seeds ? values.seeds.split(",").map((x) => x.trim()).filter(Boolean) : [values.seed];
const regrets: number[] = [];
for (const seed of seeds) {
  regrets.push(evaluate(seed));
  if (seeds.length > 1) console.log("");
}
if (seeds.length > 1) {
  const mean = regrets.reduce((a, b) => a + b, 0) / regrets.length;
  const over = regrets.filter((r) => r > maxRegret).length;
  console.log(`seeds: ${seeds.map((x, i) => `${x} ${(100 * regrets[i]!).toFixed(2)}%`).join(", ")}`);
  console.log(`regret over ${seeds.length} seeds: mean ${(100 * mean).toFixed(2)}%, worst ${(100 * Math.max(...regrets)).toFixed(2)}%; ${over} over the ${(100 * maxRegret).toFixed(0)}% goal`);
}
process.exit(regrets.every((r) => r <= maxRegret) ? 0 : 1);
