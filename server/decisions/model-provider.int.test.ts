import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { connectTestDb, makeWorkspace } from "@/db/testing";
import { appendEvents } from "@/server/ingest/append-events";
import { journeyDocumentSchema } from "@/server/journey";
import { askModel, type ModelProvider, type ModelRequest } from "./model-provider";
import { drainRuntime, publishDocument } from "@/server/testing/runtime";

/** A real loopback server speaking the chat completions API; each test sets how it answers. */
let server: Server;
let baseUrl: string;
let behave: (body: { model: string; messages: { role: string; content: string }[] }, res: ServerResponse, n: number) => void;
let calls: { auth: string | undefined; body: { model: string; messages: { role: string; content: string }[] } }[] = [];
const reply = (res: ServerResponse, content: string, status = 200) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ id: "x", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }] }));
};
let db: Db;

beforeAll(async () => {
  db = await connectTestDb();
  server = createServer((req: IncomingMessage, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = JSON.parse(raw);
      calls.push({ auth: req.headers.authorization, body });
      behave(body, res, calls.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await db.$end();
});

const provider = (): ModelProvider => ({ baseUrl, apiKey: "sk-test", model: "tiny-model", timeoutMs: 300 });
const request: ModelRequest = {
  journey: "j",
  node: "d",
  options: [{ handle: "email_offer", label: "Email offer", channel: "email" }, { handle: "push_nudge", channel: "push" }],
  features: { channel: "push", hourBand: "evening" },
  traits: { email: "ann@example.com", plan: "pro", lifecycle: "active" },
  scores: {},
};

describe("model provider (OpenAI-compatible chat completions)", () => {
  it("sends the context and eligible options, without personal traits, and reads the option the model names", async () => {
    calls = [];
    behave = (_b, res) => reply(res, '{"option": "push_nudge"}');
    const answer = await askModel(provider(), request);
    expect(answer).toMatchObject({ handle: "push_nudge", reason: "model" });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.auth).toBe("Bearer sk-test");
    expect(calls[0]!.body.model).toBe("tiny-model");
    const prompt = calls[0]!.body.messages.map((m) => m.content).join("\n");
    expect(prompt).toContain("push_nudge");
    expect(prompt).toContain('"plan":"pro"');
    expect(prompt).not.toContain("ann@example.com");
  });

  it("retries once after a 5xx, then answers", async () => {
    calls = [];
    behave = (_b, res, n) => (n === 1 ? reply(res, "", 503) : reply(res, '```json\n{"option": "email_offer"}\n```'));
    expect(await askModel(provider(), request)).toMatchObject({ handle: "email_offer", reason: "model" });
    expect(calls).toHaveLength(2);
  });

  it("gives up with a reason on timeouts (bounded: two attempts), bad answers and client errors", async () => {
    calls = [];
    behave = () => undefined; // never answers
    const slow = await askModel(provider(), request);
    expect(slow).toMatchObject({ handle: null, reason: "model_timeout" });
    expect(calls).toHaveLength(2);
    expect(slow.latencyMs).toBeLessThan(2000);

    behave = (_b, res) => reply(res, "I think push is best!");
    expect(await askModel(provider(), request)).toMatchObject({ handle: null, reason: "model_invalid_answer" });
    behave = (_b, res) => reply(res, "", 401);
    calls = [];
    expect(await askModel(provider(), request)).toMatchObject({ handle: null, reason: "model_http_401" });
    expect(calls).toHaveLength(1);
    expect(await askModel({ ...provider(), baseUrl: "http://127.0.0.1:9/v1" }, request)).toMatchObject({ handle: null, reason: "model_unreachable" });
  });

  it("in the runtime: the model's answer routes the customer; a failure takes fallback; both are logged with reason and latency", { timeout: 60_000 }, async () => {
    const { workspace, tag } = await makeWorkspace(db, ["admin"]);
    const doc = journeyDocumentSchema.parse({
      format: "waymark.journey/v1",
      id: `model-${tag}`,
      name: "model",
      nodes: [
        { id: "t", kind: "trigger", config: { event: "visit" } },
        { id: "d", kind: "decision", config: { policy: "model", options: [{ handle: "a", label: "Offer A" }, { handle: "b", label: "Offer B" }] } },
        { id: "ma", kind: "message", config: { channel: "in_app", template: "A" } },
        { id: "mb", kind: "message", config: { channel: "in_app", template: "B" } },
        { id: "mf", kind: "message", config: { channel: "in_app", template: "fallback" } },
      ],
      edges: [{ from: "t", to: "d" }, { from: "d", handle: "a", to: "ma" }, { from: "d", handle: "b", to: "mb" }, { from: "d", handle: "fallback", to: "mf" }],
    });
    await publishDocument(db, workspace.id, doc);
    // The model answers "b" for customers on the pro plan and garbage for others.
    behave = (b, res) => reply(res, b.messages[1]!.content.includes('"plan":"pro"') ? '{"option":"b"}' : "no idea");
    const ev = (i: number, plan: string) => ({ type: "identify" as const, userId: `u${i}`, anonymousId: null, customerId: `u${i}`, name: "identify", properties: {}, traits: { plan }, context: {}, timestamp: new Date(Date.now() - 10_000 + i), messageId: `${tag}-i${i}` });
    const visit = (i: number) => ({ ...ev(i, ""), type: "track" as const, name: "visit", traits: {}, timestamp: new Date(Date.now() - 5000 + i), messageId: `${tag}-v${i}` });
    await appendEvents(db, workspace.id, [ev(1, "pro"), ev(2, "free"), visit(1), visit(2)], "test");
    await drainRuntime(db, { batchSize: 100, ai: provider() });
    const rows = (await db.execute(sql`select customer_id as "customerId", detail from step_log where workspace_id = ${workspace.id} and type = 'decision' order by customer_id`)) as unknown as { customerId: string; detail: { handle: string; reason: string; decision: { latencyMs?: number } } }[];
    expect(rows.map((r) => [r.customerId, r.detail.handle, r.detail.reason])).toEqual([["u1", "b", "model"], ["u2", "fallback", "model_invalid_answer"]]);
    expect(rows[0]!.detail.decision.latencyMs).toBeGreaterThanOrEqual(0);
    const sent = (await db.execute(sql`select customer_id as "customerId", node_id as "nodeId" from outbox where workspace_id = ${workspace.id} order by customer_id`)) as unknown as { customerId: string; nodeId: string }[];
    expect(sent).toEqual([{ customerId: "u1", nodeId: "mb" }, { customerId: "u2", nodeId: "mf" }]);
  });
});
