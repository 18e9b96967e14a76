import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const cli = (args: string[], input?: string) => spawnSync(tsx, [path.join(root, "scripts", "journey.ts"), ...args], { cwd: root, input, encoding: "utf8", timeout: 30_000 });
const dir = mkdtempSync(path.join(tmpdir(), "waymark-cli-"));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const cart = path.join(root, "server/journey/templates/abandoned-cart.json");

describe("journey CLI", () => {
  it("simulates to JSON lines in the spec's format, key order included", () => {
    const events = file("e.ndjson", ['{"userId":"carol","event":"cart_abandoned","properties":{"total":40,"cartId":"c"},"timestamp":"2026-01-05T10:00:00Z"}', ""].join("\n"));
    const res = cli(["simulate", cart, "--events", events, "--until", "2026-01-05T11:30:00Z"]);
    expect(res.status).toBe(0);
    expect(res.stdout.trim().split("\n")).toEqual([
      '{"t":"2026-01-05T10:00:00.000Z","userId":"carol","journey":"abandoned-cart","type":"enter","group":"treatment"}',
      '{"t":"2026-01-05T10:00:00.000Z","userId":"carol","journey":"abandoned-cart","type":"node","node":"trigger"}',
      '{"t":"2026-01-05T10:00:00.000Z","userId":"carol","journey":"abandoned-cart","type":"node","node":"wait_1h"}',
      '{"t":"2026-01-05T11:00:00.000Z","userId":"carol","journey":"abandoned-cart","type":"node","node":"big_cart"}',
      '{"t":"2026-01-05T11:00:00.000Z","userId":"carol","journey":"abandoned-cart","type":"node","node":"email_reminder"}',
      '{"t":"2026-01-05T11:00:00.000Z","userId":"carol","journey":"abandoned-cart","type":"message","node":"email_reminder","channel":"email"}',
      '{"t":"2026-01-05T11:00:00.000Z","userId":"carol","journey":"abandoned-cart","type":"node","node":"wait_order"}',
    ]);
  });

  it("validate exits 0 for a valid journey and 1 with JSON issues for an invalid one", { timeout: 30_000 }, () => {
    expect(cli(["validate", cart]).status).toBe(0);
    const bad = file("bad.json", JSON.stringify({ format: "waymark.journey/v1", id: "x", name: "X", nodes: [{ id: "w1", kind: "wait", config: {} }], edges: [] }));
    const res = cli(["validate", bad]);
    expect(res.status).toBe(1);
    const issues = res.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(issues).toContainEqual(expect.objectContaining({ nodeId: "w1", severity: "error", code: "invalid_config" }));
  });

  it("exits 2 with a clear message and no stack trace on bad input", { timeout: 60_000 }, () => {
    const cases: [string[], string | undefined, RegExp][] = [
      [["simulate", "/no/such.json", "--events", "/no/such.ndjson"], undefined, /cannot read journey/],
      [["simulate", cart, "--events", file("bad.ndjson", "{not json}\n")], undefined, /bad\.ndjson:1: invalid JSON/],
      [["simulate", file("inv.json", '{"format":"waymark.journey/v1","id":"x","name":"X","nodes":[],"edges":[]}'), "--events", file("ok.ndjson", "")], undefined, /is invalid/],
      [["frobnicate"], undefined, /unknown command/],
      [["simulate", cart, "--interactive"], "{oops\n", /stdin line 1: invalid JSON/],
      // Event lines are checked as the API checks events.
      [["simulate", cart, "--events", file("obj.ndjson", '{"userId":{"a":1},"event":"e","timestamp":"2026-01-05T10:00:00Z"}\n')], undefined, /obj\.ndjson:1: userId: /],
      [["simulate", cart, "--events", file("ts.ndjson", '{"userId":"u","event":"e","timestamp":"January 1, 2026 10:00"}\n')], undefined, /ts\.ndjson:1: timestamp: must be an ISO 8601 time/],
      [["simulate", cart, "--events", file("page.ndjson", '{"type":"page","userId":"u","timestamp":"2026-01-05T10:00:00Z"}\n')], undefined, /page\.ndjson:1: type: must be "track" or "identify"/],
      [["simulate", cart, "--events", file("props.ndjson", '{"userId":"u","event":"e","properties":null,"timestamp":"2026-01-05T10:00:00Z"}\n')], undefined, /props\.ndjson:1: properties: /],
      [["simulate", cart, "--events", file("notime.ndjson", '{"userId":"u","event":"e"}\n')], undefined, /notime\.ndjson:1: timestamp: is required/],
      [["simulate", cart, cart, "--events", file("ok2.ndjson", "")], undefined, /have the same id "abandoned-cart"/],
      [["simulate", cart, "--workspace", file("ws.json", '{"frequencyCap":[{"max":-1,"per":"P1D"}]}'), "--events", file("ok3.ndjson", "")], undefined, /is invalid:\n  frequencyCap\.0\.max: /],
    ];
    for (const [args, input, message] of cases) {
      const res = cli(args, input);
      expect(res.status, args.join(" ")).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("--interactive answers each event with its effects, then an idle line", () => {
    const lines = ['{"userId":"carol","event":"cart_abandoned","properties":{"total":40,"cartId":"c"},"timestamp":"2026-01-05T10:00:00Z"}', '{"userId":"carol","event":"support_ticket_opened","timestamp":"2026-01-05T10:30:00Z"}'].join("\n");
    const res = cli(["simulate", cart, "--interactive"], `${lines}\n`);
    expect(res.status).toBe(0);
    const out = res.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const idles = out.map((o, i) => (o.type === "idle" ? i : -1)).filter((i) => i >= 0);
    expect(idles).toHaveLength(2);
    expect(out[idles[0]!]).toEqual({ type: "idle", t: "2026-01-05T10:00:00.000Z" });
    expect(out[idles[1]! - 1]).toMatchObject({ type: "exit", reason: "negative_trigger", rule: "complaint" });
  });
});
