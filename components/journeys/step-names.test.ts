import { describe, expect, it } from "vitest";
import { stepNames } from "./step-names";

describe("step names", () => {
  it("uses each step's name, with the id only where two steps share one", () => {
    const names = stepNames([{ id: "t", name: "Trigger" }, { id: "m1", name: "Message" }, { id: "m2", name: "Message" }, { id: "w", name: "Cool-off" }]);
    expect([...names.values()]).toEqual(["Trigger", "Message (m1)", "Message (m2)", "Cool-off"]);
  });
});
