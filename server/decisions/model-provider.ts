import { z } from "zod";
import { env } from "@/server/env";
import type { ModelAnswer } from "./policies";

/**
 * The `model` policy's provider: any OpenAI-compatible chat completions
 * endpoint (AI_BASE_URL, AI_API_KEY, AI_MODEL). The prompt gives the
 * customer's context and the eligible options; the answer must be JSON naming
 * one option and is checked by zod. Each attempt has a timeout (AI_TIMEOUT_MS,
 * 2 s by default); a timeout, a network error or a 5xx/429 is retried once;
 * anything else is a failure whose reason the decision log keeps, and the
 * customer takes `fallback`. Never throws.
 */
export type ModelProvider = { baseUrl: string; apiKey?: string; model: string; timeoutMs: number; attempts?: number };

export function modelProviderFromEnv(): ModelProvider | null {
  const e = env();
  if (!e.AI_BASE_URL || !e.AI_MODEL) return null;
  return { baseUrl: e.AI_BASE_URL, apiKey: e.AI_API_KEY, model: e.AI_MODEL, timeoutMs: e.AI_TIMEOUT_MS };
}

export type ModelRequest = {
  journey: string;
  node: string;
  options: { handle: string; label?: string; channel?: string }[];
  features: Record<string, string>;
  traits: Record<string, unknown>;
  scores: Record<string, number>;
};

/** Traits that identify a person stay out of the prompt. */
const personal = new Set(["email", "phone", "name", "firstname", "lastname", "first_name", "last_name", "address", "ip"]);

function customerContext(req: ModelRequest): Record<string, unknown> {
  const traits = Object.fromEntries(
    Object.entries(req.traits)
      .filter(([k, v]) => !personal.has(k.toLowerCase()) && (typeof v === "string" || typeof v === "number" || typeof v === "boolean"))
      .slice(0, 40)
      .map(([k, v]) => [k, typeof v === "string" ? v.slice(0, 200) : v]),
  );
  return { traits, scores: req.scores, context: req.features };
}

const completionSchema = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1) });
const answerSchema = z.object({ option: z.string().min(1).max(100) });

export function buildMessages(req: ModelRequest) {
  return [
    {
      role: "system",
      content:
        "You choose the next best action for one customer of a marketing journey. Reply with a JSON object and nothing else: " +
        '{"option": "<handle>"}, where <handle> is exactly one of the handles of the eligible options.',
    },
    { role: "user", content: JSON.stringify({ journey: req.journey, decision: req.node, customer: customerContext(req), eligibleOptions: req.options }) },
  ];
}

export async function askModel(provider: ModelProvider, req: ModelRequest): Promise<ModelAnswer> {
  const started = performance.now();
  const attempts = provider.attempts ?? 2;
  let reason = "model_error";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const outcome = await attemptOnce(provider, req);
    if (outcome.kind === "answer") return { handle: outcome.handle, reason: "model", latencyMs: Math.round(performance.now() - started) };
    reason = outcome.reason;
    if (!outcome.retry) break;
  }
  return { handle: null, reason, latencyMs: Math.round(performance.now() - started) };
}

type Attempt = { kind: "answer"; handle: string } | { kind: "failed"; reason: string; retry: boolean };

async function attemptOnce(provider: ModelProvider, req: ModelRequest): Promise<Attempt> {
  let res: Response;
  try {
    res = await fetch(`${provider.baseUrl.replace(/\/+$/, "")}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(provider.apiKey ? { authorization: `Bearer ${provider.apiKey}` } : {}) },
      body: JSON.stringify({ model: provider.model, messages: buildMessages(req), temperature: 0, response_format: { type: "json_object" } }),
      signal: AbortSignal.timeout(provider.timeoutMs),
    });
  } catch (e) {
    const timeout = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
    return { kind: "failed", reason: timeout ? "model_timeout" : "model_unreachable", retry: true };
  }
  let text: string;
  try {
    text = await res.text();
  } catch {
    return { kind: "failed", reason: "model_timeout", retry: true };
  }
  if (!res.ok) return { kind: "failed", reason: `model_http_${res.status}`, retry: res.status >= 500 || res.status === 429 };
  let content: string;
  try {
    content = completionSchema.parse(JSON.parse(text)).choices[0]!.message.content;
  } catch {
    return { kind: "failed", reason: "model_bad_response", retry: false };
  }
  try {
    const cleaned = content.trim().replace(/^```(?:json)?\s*|\s*```$/g, "");
    return { kind: "answer", handle: answerSchema.parse(JSON.parse(cleaned)).option };
  } catch {
    return { kind: "failed", reason: "model_invalid_answer", retry: false };
  }
}
