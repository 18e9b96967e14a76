import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/db/client";
import { handleIngest, handleWebhook, isDatabaseUnavailable } from "./handle-ingest";

/** A port with nothing listening: every connection is refused, as while Postgres restarts. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

let down: Db;
afterAll(async () => {
  await down?.$end();
});

describe("ingestion while the database is down", () => {
  it("answers 503 with Retry-After and a message saying to retry unchanged, for the API and for signed sources", async () => {
    down = createDb(`postgres://postgres@127.0.0.1:${await closedPort()}/nowhere`, { max: 1 });
    const body = JSON.stringify({ userId: "u1", event: "visit", messageId: "m1" });
    const res = await handleIngest(down, new Request("http://waymark.test/api/v1/track", { method: "POST", headers: { authorization: `Bearer wm_${"a".repeat(40)}`, "content-type": "application/json" }, body }), "track");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect((await res.json()).errors[0].message).toMatch(/unavailable.*same messageIds/);
    const hook = await handleWebhook(down, new Request("http://waymark.test/api/v1/webhooks/shop", { method: "POST", body }), "shop");
    expect(hook.status).toBe(503);
  });

  it("tells outages from other errors (which stay errors)", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("Failed query"), { cause: Object.assign(new Error("terminating connection"), { code: "57P01" }) }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
  });
});
