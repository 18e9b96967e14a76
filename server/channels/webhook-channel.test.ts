import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { verifySignature } from "@/server/ingest/verify-signature";
import type { OutboundMessage } from "./channel";
import { headerSafe, webhookChannel } from "./webhook-channel";

/** The webhook channel against real HTTP servers on loopback. */
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())))));
});

type Received = { headers: IncomingMessage["headers"]; body: string; socket: unknown };
async function serve(answer: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; received: Received[]; connections: () => number }> {
  const received: Received[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ headers: req.headers, body, socket: req.socket });
      answer(req, res, body);
    });
  });
  server.on("connection", () => connections++);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, connections: () => connections };
}

const message = (key: string): OutboundMessage => ({
  key,
  workspaceId: "11111111-1111-4111-8111-111111111111",
  customerId: "c1",
  journeyId: "welcome",
  nodeId: "m1",
  channel: "webhook",
  to: null,
  subject: null,
  body: "Hello ✓",
  data: {},
});
const config = (url: string, timeoutMs = 5_000) => ({ url, secret: "whsec_test_0123456789", timeoutMs });

describe("webhook channel", () => {
  it("POSTs the message signed, with its idempotency key, and reuses the connection for the next", async () => {
    const { url, received, connections } = await serve((_req, res) => res.end("ok"));
    expect(await webhookChannel.send(message("k1"), config(url))).toEqual({ ok: true, detail: "HTTP 200" });
    expect(await webhookChannel.send(message("k2"), config(url))).toEqual({ ok: true, detail: "HTTP 200" });
    expect(received).toHaveLength(2);
    const [first] = received;
    expect(first!.headers["idempotency-key"]).toBe("k1");
    expect(first!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(first!.body)).toMatchObject({ id: "k1", type: "message", journey: "welcome", node: "m1", customerId: "c1", body: "Hello ✓" });
    expect(verifySignature("whsec_test_0123456789", first!.body, String(first!.headers["x-waymark-signature"]), Math.floor(Date.now() / 1000))).toEqual({ ok: true });
    expect(connections()).toBe(1);
  });

  it("retries 408, 429 and 5xx, and not other 4xx", async () => {
    for (const [status, retryable] of [
      [500, true],
      [503, true],
      [429, true],
      [408, true],
      [404, false],
      [400, false],
    ] as const) {
      const { url } = await serve((_req, res) => {
        res.statusCode = status;
        res.end("no");
      });
      expect(await webhookChannel.send(message(`s${status}`), config(url))).toEqual({ ok: false, retryable, error: `HTTP ${status} from ${new URL(url).host}` });
    }
  });

  it("does not follow a redirect: the signed message goes only to the configured URL", async () => {
    const elsewhere = await serve((_req, res) => res.end("ok"));
    const { url } = await serve((_req, res) => {
      res.writeHead(307, { location: elsewhere.url });
      res.end();
    });
    expect(await webhookChannel.send(message("r1"), config(url))).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining("HTTP 307") });
    expect(elsewhere.received).toHaveLength(0);
  });

  it("gives up on a receiver that does not answer within the timeout, to be retried", async () => {
    const { url, received } = await serve(() => {
      /* never answers */
    });
    const t0 = Date.now();
    expect(await webhookChannel.send(message("t1"), config(url, 200))).toEqual({ ok: false, retryable: true, error: "timed out after 200 ms" });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(received).toHaveLength(1);
  });

  it("retries when the connection is refused or cut in the middle of the answer", async () => {
    const closed = await serve(() => {});
    const port = new URL(closed.url).port;
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    expect(await webhookChannel.send(message("c1"), config(`http://127.0.0.1:${port}/hook`))).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining("ECONNREFUSED") });

    const { url } = await serve((req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("partial");
      setTimeout(() => req.socket.destroy(), 20);
    });
    expect(await webhookChannel.send(message("c2"), config(url))).toMatchObject({ ok: false, retryable: true });
  });

  it("sends a key holding any customer id: characters a header cannot carry are percent-encoded, the same way every time", async () => {
    const { url, received } = await serve((_req, res) => res.end("ok"));
    const key = "welcome:用户 é\n%:m1";
    expect(await webhookChannel.send(message(key), config(url))).toEqual({ ok: true, detail: "HTTP 200" });
    expect(await webhookChannel.send(message(key), config(url))).toEqual({ ok: true, detail: "HTTP 200" });
    expect(received.map((r) => r.headers["idempotency-key"])).toEqual([headerSafe(key), headerSafe(key)]);
    expect(decodeURIComponent(String(received[0]!.headers["idempotency-key"]))).toBe(key);
    expect(JSON.parse(received[0]!.body).id).toBe(key);
    expect(headerSafe("plain:key-1")).toBe("plain:key-1");
  });

  it("counts the timeout from the moment a message has a connection, not while it waits for one", async () => {
    // 300 messages at once to a receiver that answers each after 500 ms: more than twice the connections allowed per
    // receiver, so the last ones wait about a second for a connection and are answered about 1.5 s after they were
    // sent, past their 900 ms timeout counted from the send (but 500 ms after they had a connection). None times out.
    const { url, received } = await serve((_req, res) => setTimeout(() => res.end("ok"), 500));
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => webhookChannel.send(message(`q${i}`), config(url, 900))));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(received).toHaveLength(300);
  });
});
