import { describe, expect, it } from "vitest";
import { fitLogistic, logitFor, weightPriorSd, type Cell } from "./logistic";

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe("Bayesian logistic regression on context cells", () => {
  // Truth: additive in log-odds, intercept −2.5, channel=email +1, lifecycle=new +0.5, device does nothing.
  const truth = (f: string[]) => sigmoid(-2.5 + (f.includes("channel=email") ? 1 : 0) + (f.includes("lifecycle=new") ? 0.5 : 0));
  const cells = (n: number): Cell[] =>
    ["email", "push"].flatMap((ch) =>
      ["new", "active"].flatMap((lc) =>
        ["mobile", "desktop"].map((dv) => {
          const features = [`channel=${ch}`, `lifecycle=${lc}`, `device=${dv}`];
          return { features, n, s: Math.round(truth(features) * n) };
        }),
      ),
    );

  it("recovers each context's rate from counts, including a combination it learns only from its parts", () => {
    const fit = fitLogistic(cells(5000), logit(0.1));
    for (const f of [["channel=email", "lifecycle=new", "device=mobile"], ["channel=push", "lifecycle=active", "device=desktop"]]) {
      expect(sigmoid(logitFor(fit, f).mean)).toBeCloseTo(truth(f), 2);
    }
    // Without any email + new cell, that combination is still predicted from its parts.
    const partial = fitLogistic(cells(5000).filter((c) => !(c.features.includes("channel=email") && c.features.includes("lifecycle=new"))), logit(0.1));
    expect(sigmoid(logitFor(partial, ["channel=email", "lifecycle=new", "device=mobile"]).mean)).toBeCloseTo(truth(["channel=email", "lifecycle=new"]), 2);
  });

  it("is surer with more data, and as unsure as the prior about a value it never saw", () => {
    const f = ["channel=email", "lifecycle=new", "device=mobile"];
    const few = logitFor(fitLogistic(cells(50), logit(0.1)), f).sd;
    const many = logitFor(fitLogistic(cells(5000), logit(0.1)), f).sd;
    expect(many).toBeLessThan(few / 5);
    const unseen = logitFor(fitLogistic(cells(5000), logit(0.1)), [...f, "hour=evening"]);
    expect(unseen.sd).toBeGreaterThan(weightPriorSd * 0.99);
  });

  it("with no data at all, says the prior", () => {
    const empty = logitFor(fitLogistic([], logit(0.2)), ["channel=email"]);
    expect(empty.mean).toBeCloseTo(logit(0.2), 6);
    expect(empty.sd).toBeGreaterThan(1);
  });
});
