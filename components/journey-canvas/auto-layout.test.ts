import { describe, expect, it } from "vitest";
import { layoutJourney } from "./auto-layout";

const box = (id: string, offPath = false) => ({ id, width: 224, height: 100, offPath });

describe("auto-layout", () => {
  it("puts every step right of the ones leading to it, fans branches out without overlap, and sets rules aside below", () => {
    const nodes = [box("t"), box("w"), box("b"), box("yes"), box("no"), box("neg", true)];
    const edges = [{ source: "t", target: "w" }, { source: "w", target: "b" }, { source: "b", target: "yes" }, { source: "b", target: "no" }];
    const at = layoutJourney(nodes, edges);
    for (const e of edges) expect(at.get(e.target)!.x).toBeGreaterThan(at.get(e.source)!.x + 224);
    // The two branches share a column but do not overlap.
    expect(at.get("yes")!.x).toBe(at.get("no")!.x);
    expect(Math.abs(at.get("yes")!.y - at.get("no")!.y)).toBeGreaterThanOrEqual(100);
    // The negative trigger sits below the whole flow.
    const lowest = Math.max(...["t", "w", "b", "yes", "no"].map((id) => at.get(id)!.y + 100));
    expect(at.get("neg")!.y).toBeGreaterThan(lowest);
    expect(at.size).toBe(nodes.length);
  });
});
