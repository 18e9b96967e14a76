import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export type ReceivedRequest = { headers: IncomingHttpHeaders; body: string };

/**
 * A real HTTP server on loopback that stands in for a customer's gateway in
 * tests of outgoing webhooks: it keeps every request it gets and answers with
 * the status `answer(body)` gives (200 by default), when it gives it (a
 * promise holds the answer back).
 */
export async function startWebhookReceiver(answer: (body: string) => number | Promise<number> = () => 200): Promise<{ url: string; received: ReceivedRequest[]; close: () => Promise<void> }> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      received.push({ headers: req.headers, body });
      res.statusCode = await answer(body);
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
