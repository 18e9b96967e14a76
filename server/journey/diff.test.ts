import { describe, expect, it } from "vitest";
import { diffJourneys } from "./diff";
import { journeyTemplates } from "./templates";

const cart = () => structuredClone(journeyTemplates.find((t) => t.id === "abandoned-cart")!.document) as unknown as {
  name: string;
  settings: Record<string, unknown>;
  nodes: { id: string; kind: string; label?: string; config: Record<string, unknown>; position?: { x: number; y: number } }[];
  edges: { from: string; to: string; handle?: string }[];
};

describe("journey diff", () => {
  it("finds nothing between a document and itself, or when only positions moved", () => {
    const a = cart();
    const b = cart();
    for (const n of b.nodes) n.position = { x: (n.position?.x ?? 0) + 500, y: 7 };
    expect(diffJourneys(a, a)).toEqual([]);
    expect(diffJourneys(a, b)).toEqual([]);
  });

  it("treats a default written out and a default left out as the same", () => {
    const a = cart();
    const b = cart();
    delete a.settings.timezone; // defaults to "customer", which b says explicitly
    expect(b.settings.timezone).toBe("customer");
    expect(diffJourneys(a, b)).toEqual([]);
  });

  it("names each change: settings, steps added, removed and changed, connections", () => {
    const a = cart();
    const b = cart();
    b.name = "Cart rescue";
    b.settings.holdoutPercent = 25;
    b.nodes.find((n) => n.id === "wait_1h")!.config = { for: "PT3H" };
    b.nodes = b.nodes.filter((n) => n.id !== "push");
    b.edges = b.edges.filter((e) => e.from !== "push" && e.to !== "push");
    b.nodes.push({ id: "thanks", kind: "exit", config: {} });
    b.edges.push({ from: "sms", to: "thanks" });
    const changes = diffJourneys(a, b);
    expect(changes).toContainEqual({ area: "journey", change: "changed", target: "name", detail: "Abandoned cart recovery → Cart rescue" });
    expect(changes).toContainEqual({ area: "settings", change: "changed", target: "holdoutPercent", detail: "10% → 25%" });
    expect(changes).toContainEqual({ area: "step", change: "changed", target: "wait_1h", detail: "Wait · Wait 1 h → Wait · Wait 3 h" });
    expect(changes).toContainEqual(expect.objectContaining({ area: "step", change: "removed", target: "push" }));
    expect(changes).toContainEqual(expect.objectContaining({ area: "step", change: "added", target: "thanks" }));
    expect(changes).toContainEqual(expect.objectContaining({ area: "connection", change: "added", target: "sms → thanks" }));
    expect(changes.filter((c) => c.area === "connection" && c.change === "removed").map((c) => c.target).sort()).toEqual(
      a.edges.filter((e) => e.from === "push" || e.to === "push").map((e) => `${e.from} → ${e.to}${(e.handle ?? "next") === "next" ? "" : ` (${e.handle})`}`).sort(),
    );
    // A condition change reads as the step's summary before and after.
    const c = cart();
    (c.nodes[0]!.config.where as { value: number }).value = 30;
    expect(diffJourneys(a, c)).toEqual([{ area: "step", change: "changed", target: "trigger", detail: "Trigger · On cart_abandoned · when total ≥ 20 → Trigger · On cart_abandoned · when total ≥ 30" }]);
  });

  it("copes with documents that are not valid", () => {
    expect(diffJourneys({}, { nodes: [{ id: "x", kind: "martian", config: {} }], edges: "no" })).toEqual([{ area: "step", change: "added", target: "x", detail: "martian" }]);
  });
});
