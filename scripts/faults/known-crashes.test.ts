import { describe, expect, it } from "vitest";
import { knownDriverCrash } from "./known-crashes";

const crash = `[worker worker-7b7d2fd5] Error: write CONNECTION_CLOSED 127.0.0.1:54349
    at Socket.closed (file:///work/main/node_modules/postgres/src/connection.js:457:32)
file:///work/main/node_modules/postgres/src/connection.js:255
    const x = socket.write(chunk, fn)
                     ^

TypeError: Cannot read properties of null (reading 'write')
    at Immediate.nextWrite (file:///work/main/node_modules/postgres/src/connection.js:255:22)
    at process.processImmediate (node:internal/timers:483:21)

Node.js v20.20.2
`;

describe("known crashes", () => {
  it("recognises the postgres.js null-socket crash and nothing else", () => {
    expect(knownDriverCrash.test(crash)).toBe(true);
    expect(knownDriverCrash.test(crash.replace("Immediate.nextWrite", "Immediate.somethingElse"))).toBe(false);
    expect(knownDriverCrash.test("TypeError: Cannot read properties of null (reading 'write')\n    at flush (file:///work/main/server/runtime/worker.ts:10:1)")).toBe(false);
    expect(knownDriverCrash.test("Error: connect ECONNREFUSED 127.0.0.1:54349")).toBe(false);
  });
});
