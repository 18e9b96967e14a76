import { describe, expect, it } from "vitest";
import { seededRandom } from "@/server/journey/hash";
import { estimatePolicy, type LoggedDecision } from "./offline-eval";

describe("offline policy evaluation (IPS / SNIPS)", () => {
  // Logged by a policy that picks a with 80%, b with 20%; a converts 10%, b converts 30%.
  const rand = seededRandom("ope");
  const log: LoggedDecision[] = Array.from({ length: 40_000 }, () => {
    const handle = rand() < 0.8 ? "a" : "b";
    const reward = rand() < (handle === "a" ? 0.1 : 0.3) ? 1 : 0;
    return { eligible: ["a", "b"], probabilities: { a: 0.8, b: 0.2 }, handle, reward };
  });

  it("recovers what uniform and first-eligible choice would have earned on the same customers", () => {
    // Truth: uniform earns (0.1 + 0.3) / 2 = 0.2; rules (always a) earns 0.1; the logging policy 0.8·0.1 + 0.2·0.3 = 0.14.
    const uniform = estimatePolicy("uniform", log)!;
    const rules = estimatePolicy("rules", log)!;
    const logged = estimatePolicy("logged", log)!;
    expect(uniform.snips).toBeCloseTo(0.2, 1);
    expect(uniform.low).toBeLessThan(0.2);
    expect(uniform.high).toBeGreaterThan(0.2);
    expect(rules.snips).toBeCloseTo(0.1, 1);
    expect(logged.ips).toBeCloseTo(0.14, 1);
    expect(Math.abs(uniform.ips - 0.2)).toBeLessThan(0.01);
  });

  it("says nothing rather than guess when no logged decision had a chance", () => {
    expect(estimatePolicy("uniform", [{ eligible: ["a"], probabilities: {}, handle: "a", reward: 1 }])).toBeNull();
  });
});
