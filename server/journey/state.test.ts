import { describe, expect, it } from "vitest";
import { compileJourney } from "./compile";
import { z } from "zod";
import { customerStateSchema, formatOf, readStoredState, stateFormat } from "./state";
import { orchestrate } from "./step";
import { workspaceSettingsSchema } from "./schema";
import { journey } from "./test-helpers";

const program = compileJourney(journey("st", [["t", "trigger", { event: "visit" }], ["w", "wait", { for: "P1D" }], ["m", "message", { channel: "email", template: "hi" }]], ["t>w", "w>m"]), 1);
const written = orchestrate([{ program, acceptsEntries: true }], null, { kind: "event", event: { id: "e1", type: "track", name: "visit", properties: {}, traits: {}, timestamp: "2026-05-04T10:00:00.000Z" } }, {
  customerId: "c1",
  seed: "s",
  workspace: workspaceSettingsSchema.parse({}),
}).state;

describe("reading a stored customer state", () => {
  it("takes a state of the current format as it is, and parses any other", () => {
    expect(stateFormat()).toMatch(/^[0-9a-z]+$/);
    const current = { ...JSON.parse(JSON.stringify(written)), format: stateFormat() };
    expect(readStoredState(current)).toBe(current);
    // Without a format (written before formats existed) or with another one: through the schema, defaults filled in.
    const { activity: _activity, goalWatch: _goalWatch, ...old } = JSON.parse(JSON.stringify(written));
    for (const stored of [old, { ...old, format: "older" }]) {
      const read = readStoredState(stored);
      expect(read).not.toBe(stored);
      expect(read).toEqual(customerStateSchema.parse(old));
      expect(read!.goalWatch).toEqual([]);
      expect(read!.instances).toHaveLength(1);
    }
    // Not a state at all: null (the runtime starts the customer afresh, as before).
    expect(readStoredState({ instances: "nope" })).toBeNull();
    expect(readStoredState(null)).toBeNull();
  });

  it("changes format when the schema changes, and only then", () => {
    expect(formatOf(customerStateSchema)).toBe(stateFormat());
    expect(formatOf(customerStateSchema.extend({ extra: z.string().optional() }))).not.toBe(stateFormat());
    expect(formatOf(customerStateSchema.extend({ sent: z.array(z.object({ t: z.string(), channel: z.string() })) }))).not.toBe(stateFormat());
  });
});
