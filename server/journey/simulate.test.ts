import { describe, expect, it } from "vitest";
import { Simulator, simulate, type SimLine } from "./simulate";
import { maxPathSteps } from "./state";
import { journeyTemplates } from "./templates";
import { identify, journey, track } from "./test-helpers";

const detail = (l: SimLine) => (["held", "suppressed", "blocked", "refused", "exit"].includes(l.type) ? l.reason : (l.node ?? l.group ?? l.handle ?? ""));
const pick = (lines: SimLine[], ...types: string[]) => lines.filter((l) => types.includes(l.type)).map((l) => `${l.t.slice(0, 16)} ${l.userId} ${l.journey} ${l.type} ${String(detail(l))}`.trim());
const template = (id: string) => journeyTemplates.find((t) => t.id === id)!.document;

describe("simulator: the spec's semantics", () => {
  it("waits, branches and messages in time order, and exits on the goal", () => {
    const doc = journey(
      "cart",
      [
        ["t", "trigger", { event: "cart_abandoned" }],
        ["w", "wait", { for: "PT1H" }],
        ["b", "branch", { cases: [{ handle: "big", when: { path: "event.properties.total", op: "gte", value: 100 } }] }],
        ["m_big", "message", { channel: "email", template: "big" }],
        ["m_small", "message", { channel: "sms", template: "small" }],
      ],
      ["t>w", "w>b", "b:big>m_big", "b:else>m_small"],
      { goal: { event: "order_completed", within: "P1D" } },
    );
    const lines = simulate([doc], [track("a", "cart_abandoned", "2026-03-01T10:00:00Z", { total: 150 }), track("b", "cart_abandoned", "2026-03-01T10:30:00Z", { total: 20 }), track("b", "order_completed", "2026-03-01T10:45:00Z")]);
    expect(pick(lines, "message", "exit")).toEqual(["2026-03-01T10:45 b cart exit goal", "2026-03-01T11:00 a cart message m_big", "2026-03-01T11:00 a cart exit completed"]);
    expect(lines.map((l) => l.t)).toEqual([...lines.map((l) => l.t)].sort());
  });

  it("holds a message for quiet hours across a DST change, in the customer's time zone", () => {
    // Europe/Paris moves from UTC+1 to UTC+2 on 2026-03-29 at 02:00 local.
    const doc = journey(
      "quiet",
      [["t", "trigger", { event: "x" }], ["m", "message", { channel: "push", template: "hi" }], ["g", "guardrail", { quietHours: { start: "21:00", end: "08:00" } }]],
      ["t>m"],
    );
    const lines = simulate([doc], [identify("u", { timezone: "Europe/Paris" }, "2026-03-28T20:00:00Z"), track("u", "x", "2026-03-28T22:30:00Z")]);
    expect(pick(lines, "held", "message")).toEqual(["2026-03-28T22:30 u quiet held quiet_hours", "2026-03-29T06:00 u quiet message m"]);
  });

  it("runs a cycle through a wait, one loop per day", () => {
    const doc = journey(
      "loop",
      [["t", "trigger", { event: "x" }], ["m", "message", { channel: "push", template: "daily" }], ["w", "wait", { for: "P1D" }], ["b", "branch", { cases: [{ handle: "stop", when: { path: "traits.done", op: "eq", value: true } }] }]],
      ["t>m", "m>w", "w>b", "b:else>m"],
    );
    const lines = simulate([doc], [track("u", "x", "2026-01-01T09:00:00Z"), identify("u", { done: true }, "2026-01-03T12:00:00Z")]);
    expect(pick(lines, "message", "exit")).toEqual(["2026-01-01T09:00 u loop message m", "2026-01-02T09:00 u loop message m", "2026-01-03T09:00 u loop message m", "2026-01-04T09:00 u loop exit completed"]);
  });

  it("remembers the path of a stay, its first 24 steps then …", () => {
    const doc = journey(
      "loop",
      [["t", "trigger", { event: "x" }], ["m", "message", { channel: "push", template: "daily" }], ["w", "wait", { for: "P1D" }], ["b", "branch", { cases: [{ handle: "stop", when: { path: "traits.done", op: "eq", value: true } }] }]],
      ["t>m", "m>w", "w>b", "b:else>m"],
    );
    const sim = new Simulator([doc]);
    sim.handle(track("u", "x", "2026-01-01T09:00:00Z"));
    sim.runTimersUntil(new Date("2026-01-02T10:00:00Z"));
    expect(sim.stateOf("u")!.instances[0]!.path).toEqual(["t", "m", "w", "b", "m", "w"]);
    // Twelve days of the loop: 37 steps, kept as the first 24 and "…".
    sim.runTimersUntil(new Date("2026-01-13T10:00:00Z"));
    const path = sim.stateOf("u")!.instances[0]!.path;
    expect(path).toHaveLength(maxPathSteps + 1);
    expect(path.slice(0, 7)).toEqual(["t", "m", "w", "b", "m", "w", "b"]);
    expect(path.at(-1)).toBe("…");
  });

  it("keeps two keyed instances side by side; an event reaches only the instance with its key", () => {
    const doc = journey(
      "keyed",
      [["t", "trigger", { event: "cart_abandoned", key: "event.properties.cartId" }], ["w", "wait_for_event", { event: "order_completed", timeout: "P1D" }], ["thanks", "message", { channel: "email", template: "thanks" }], ["nudge", "message", { channel: "email", template: "nudge" }]],
      ["t>w", "w:event>thanks", "w:timeout>nudge"],
      { reentry: "always" },
    );
    const lines = simulate([doc], [track("u", "cart_abandoned", "2026-01-01T10:00:00Z", { cartId: "A" }), track("u", "cart_abandoned", "2026-01-01T10:05:00Z", { cartId: "B" }), track("u", "cart_abandoned", "2026-01-01T10:06:00Z", { cartId: "B" }), track("u", "order_completed", "2026-01-01T11:00:00Z", { cartId: "B" })]);
    expect(pick(lines, "enter", "refused", "message")).toEqual([
      "2026-01-01T10:00 u keyed enter treatment",
      "2026-01-01T10:05 u keyed enter treatment",
      "2026-01-01T10:06 u keyed refused already_in_journey",
      "2026-01-01T11:00 u keyed message thanks",
      "2026-01-02T10:00 u keyed message nudge",
    ]);
  });

  it("lets the higher priority win when journeys compete, ties by journey id", () => {
    const mk = (id: string, priority: number) => journey(id, [["t", "trigger", { event: "signup" }], ["w", "wait", { for: "P1D" }]], ["t>w"], { priority });
    const ws = { maxConcurrentJourneys: 1 };
    const a = simulate([mk("b-journey", 50), mk("a-journey", 50), mk("low", 10)], [track("u", "signup", "2026-01-01T00:00:00Z")], { workspace: ws });
    expect(pick(a, "enter", "refused")).toEqual(["2026-01-01T00:00 u a-journey enter treatment", "2026-01-01T00:00 u b-journey refused priority", "2026-01-01T00:00 u low refused priority"]);
    const b = simulate([mk("b-journey", 90), mk("a-journey", 50)], [track("u", "signup", "2026-01-01T00:00:00Z")], { workspace: ws });
    expect(pick(b, "enter")).toEqual(["2026-01-01T00:00 u b-journey enter treatment"]);
  });

  it("shares a frequency cap across two journeys (exact sliding window)", () => {
    const mk = (id: string, event: string) => journey(id, [["t", "trigger", { event }], ["m", "message", { channel: "email", template: id }]], ["t>m"], { reentry: "always" });
    const ws = { frequencyCap: [{ channel: "any", max: 2, per: "P1D" }] };
    const lines = simulate([mk("one", "a"), mk("two", "b")], [track("u", "a", "2026-01-01T10:00:00Z"), track("u", "b", "2026-01-01T11:00:00Z"), track("u", "a", "2026-01-01T12:00:00Z"), track("u", "b", "2026-01-02T10:00:01Z")], { workspace: ws });
    expect(pick(lines, "message", "blocked")).toEqual(["2026-01-01T10:00 u one message m", "2026-01-01T11:00 u two message m", "2026-01-01T12:00 u one blocked capped", "2026-01-02T10:00 u two message m"]);
  });

  it("exits at once on a negative trigger during a 30-day wait, and records the rule", () => {
    const doc = journey("long", [["t", "trigger", { event: "x" }], ["w", "wait", { for: "P30D" }], ["m", "message", { channel: "email", template: "late" }], ["n", "negative_trigger", { event: "complaint" }]], ["t>w", "w>m"]);
    const lines = simulate([doc], [track("u", "x", "2026-01-01T00:00:00Z"), track("u", "complaint", "2026-01-10T00:00:00Z")]);
    expect(lines.filter((l) => l.type === "exit")).toEqual([{ t: "2026-01-10T00:00:00.000Z", userId: "u", journey: "long", type: "exit", reason: "negative_trigger", rule: "n" }]);
    expect(lines.some((l) => l.type === "message")).toBe(false);
  });

  it("suppresses messages during a suppress window, blocks entry within a lookback, and refuses the unsubscribed", () => {
    const doc = journey(
      "s",
      [["t", "trigger", { event: "x" }], ["w", "wait", { for: "P1D" }], ["m", "message", { channel: "email", template: "hi" }], ["n", "negative_trigger", { event: "refund", effect: { suppress: "P3D" } }], ["blk", "negative_trigger", { event: "complaint", blockEntryWithin: "P2D" }]],
      ["t>w", "w>m"],
    );
    const lines = simulate(
      [doc],
      [track("a", "x", "2026-01-01T00:00:00Z"), track("a", "refund", "2026-01-01T12:00:00Z"), track("b", "complaint", "2026-01-01T00:00:00Z"), track("b", "x", "2026-01-02T00:00:00Z"), identify("c", { unsubscribed: true }, "2026-01-01T00:00:00Z"), track("c", "x", "2026-01-01T01:00:00Z")],
    );
    expect(pick(lines, "suppressed", "refused", "message")).toEqual(["2026-01-01T01:00 c s refused unsubscribed", "2026-01-02T00:00 a s suppressed negative_trigger", "2026-01-02T00:00 b s refused negative_trigger"]);
  });

  it("honours reentry and cooldown", () => {
    const mk = (reentry: string, cooldown?: string) => journey("r", [["t", "trigger", { event: "x" }]], [], { reentry: reentry as "never", ...(cooldown ? { reentryCooldown: cooldown } : {}) });
    const events = [track("u", "x", "2026-01-01T00:00:00Z"), track("u", "x", "2026-01-02T00:00:00Z"), track("u", "x", "2026-01-09T00:00:00Z")];
    expect(pick(simulate([mk("never")], events), "enter", "refused").map((l) => l.split(" ").pop())).toEqual(["treatment", "reentry", "reentry"]);
    expect(pick(simulate([mk("after_exit", "P7D")], events), "enter", "refused").map((l) => l.split(" ").pop())).toEqual(["treatment", "cooldown", "treatment"]);
  });

  it("keeps holdout customers out of messages but tracks their goal, deterministically", () => {
    const doc = journey("h", [["t", "trigger", { event: "x" }], ["m", "message", { channel: "email", template: "hi" }]], ["t>m"], { holdoutPercent: 50, goal: { event: "buy", within: "P1D" } });
    const events = Array.from({ length: 200 }, (_, i) => track(`u${i}`, "x", "2026-01-01T00:00:00Z"));
    const lines = simulate([doc], events);
    const holdout = new Set(lines.filter((l) => l.type === "enter" && l.group === "holdout").map((l) => l.userId));
    expect(holdout.size).toBeGreaterThan(70);
    expect(holdout.size).toBeLessThan(130);
    expect(lines.filter((l) => l.type === "message" && holdout.has(l.userId))).toEqual([]);
    expect(lines.filter((l) => l.type === "exit" && holdout.has(l.userId)).every((l) => l.reason === "holdout_complete")).toBe(true);
    expect(simulate([doc], events)).toEqual(lines);
  });

  it("takes the fallback when no decision option is eligible, and logs every decision", () => {
    const doc = journey(
      "d",
      [["t", "trigger", { event: "x" }], ["d", "decision", { policy: "rules", options: [{ handle: "sms", channel: "sms", when: { path: "traits.phone", op: "exists" } }] }], ["ok", "message", { channel: "sms", template: "hi" }], ["fb", "message", { channel: "email", template: "fb" }]],
      ["t>d", "d:sms>ok", "d:fallback>fb"],
    );
    const lines = simulate([doc], [identify("p", { phone: "+100" }, "2026-01-01T00:00:00Z"), track("p", "x", "2026-01-01T00:00:01Z"), track("q", "x", "2026-01-01T00:00:02Z")]);
    expect(pick(lines, "decision")).toEqual(["2026-01-01T00:00 p d decision d", "2026-01-01T00:00 q d decision d"]);
    expect(lines.filter((l) => l.type === "decision").map((l) => l.handle)).toEqual(["sms", "fallback"]);
  });

  it("still counts the goal of a customer who left early, within the goal window (as for the holdout)", () => {
    const doc = journey("g", [["t", "trigger", { event: "x" }], ["m", "message", { channel: "email", template: "hi" }]], ["t>m"], { goal: { event: "buy", within: "P2D" } });
    const lines = simulate([doc], [track("u", "x", "2026-01-01T00:00:00Z"), track("u", "buy", "2026-01-02T00:00:00Z"), track("v", "x", "2026-01-01T00:00:00Z"), track("v", "buy", "2026-01-04T00:00:00Z")]);
    expect(pick(lines, "exit", "goal")).toEqual(["2026-01-01T00:00 u g exit completed", "2026-01-01T00:00 v g exit completed", "2026-01-02T00:00 u g goal"]);
  });

  it("fires a predictive trigger when the score crosses up through the threshold", () => {
    const lines = simulate([template("churn-prevention")], [identify("u", { scores: { churnRisk: 0.5 } }, "2026-01-01T00:00:00Z"), identify("u", { scores: { churnRisk: 0.8 } }, "2026-01-02T00:00:00Z"), identify("u", { scores: { churnRisk: 0.9 } }, "2026-01-03T00:00:00Z")]);
    expect(lines.filter((l) => l.type === "enter").map((l) => l.t)).toEqual(["2026-01-02T00:00:00.000Z"]);
  });
});

describe("the four templates simulate to their intended paths", () => {
  it("abandoned cart: VIP cart gets the VIP email and converts; a small cart gets the reminder, then a nudge", () => {
    const lines = simulate([template("abandoned-cart")], [track("vip1", "cart_abandoned", "2026-01-05T10:00:00Z", { total: 200, cartId: "c1" }), track("vip1", "order_completed", "2026-01-05T13:00:00Z"), track("carol", "cart_abandoned", "2026-01-05T10:00:00Z", { total: 40, cartId: "c2" })]);
    const path = (u: string) => lines.filter((l) => l.userId === u && (l.type === "node" || l.type === "exit")).map((l) => String(l.node ?? l.reason));
    expect(path("vip1")).toEqual(["trigger", "wait_1h", "big_cart", "email_vip", "wait_order", "goal"]);
    expect(path("carol")).toEqual(["trigger", "wait_1h", "big_cart", "email_reminder", "wait_order", "next_best", "push", "completed"]);
  });

  it("onboarding: activation on a project, otherwise a tip variant and a morning nudge", () => {
    const lines = simulate([template("onboarding")], [identify("a", { timezone: "UTC" }, "2026-02-02T09:00:00Z"), track("a", "signed_up", "2026-02-02T10:00:00Z"), track("a", "project_created", "2026-02-02T12:00:00Z"), track("b", "signed_up", "2026-02-02T10:00:00Z")]);
    expect(lines.filter((l) => l.userId === "a" && l.type === "node").map((l) => l.node)).toEqual(["signed_up", "welcome", "wait_project", "activated"]);
    const b = lines.filter((l) => l.userId === "b" && l.type === "node").map((l) => l.node);
    expect(b.slice(0, 4)).toEqual(["signed_up", "welcome", "wait_project", "tip_test"]);
    expect(b.slice(-2)).toEqual(["morning", "nudge"]);
  });

  it("cross-sell: suppressed after a refund, VIP branch for big orders", () => {
    const lines = simulate([template("cross-sell")], [track("v", "order_completed", "2026-01-01T00:00:00Z", { orderId: "o1", total: 500 }), track("r", "order_completed", "2026-01-01T00:00:00Z", { orderId: "o2", total: 20 }), track("r", "order_refunded", "2026-01-02T00:00:00Z", { orderId: "o2" })]);
    expect(pick(lines, "message", "suppressed").filter((l) => !l.includes("holdout"))).toEqual(expect.arrayContaining(["2026-01-04T00:00 v cross-sell message early_access", "2026-01-04T00:00 r cross-sell suppressed negative_trigger"]));
  });
});
