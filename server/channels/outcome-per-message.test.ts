import { describe, expect, it } from "vitest";
import { outcomePerMessage, type Outcome } from "./dispatch-due-messages";

const outcome = (id: number, attempts: number, status: Outcome["status"]): Outcome => ({ id, attempts, status, result: null, delayMs: status === "retrying" ? 1000 : null, at: 0 });

describe("outcomePerMessage: two sends of one message in one write", () => {
  it("keeps the delivery, in either order: the message went out", () => {
    for (const group of [
      [outcome(1, 1, "sent"), outcome(1, 2, "retrying")],
      [outcome(1, 2, "retrying"), outcome(1, 1, "sent")],
      [outcome(1, 2, "dead"), outcome(1, 1, "sent")],
    ]) {
      expect(outcomePerMessage(group)).toEqual([outcome(1, 1, "sent")]);
    }
  });

  it("else keeps the latest claim's, and leaves other messages' outcomes alone", () => {
    expect(outcomePerMessage([outcome(1, 2, "retrying"), outcome(2, 1, "sent"), outcome(1, 1, "retrying")])).toEqual([outcome(1, 2, "retrying"), outcome(2, 1, "sent")]);
    expect(outcomePerMessage([outcome(1, 1, "retrying"), outcome(1, 2, "dead")])).toEqual([outcome(1, 2, "dead")]);
  });
});
