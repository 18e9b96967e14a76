/**
 * Reads a request body as JSON within limits, before anything is parsed:
 * content type, size (streamed, so a huge body is cut off early), nesting
 * depth and string length. Every refusal is a 4xx with a message.
 */
export type BodyLimits = { maxBytes: number; maxDepth: number; maxStringLength: number };
export const defaultBodyLimits: BodyLimits = { maxBytes: 512 * 1024, maxDepth: 32, maxStringLength: 64 * 1024 };

export type BodyResult = { ok: true; value: unknown; raw: string } | { ok: false; status: 400 | 413 | 415; message: string };

export async function readJsonBody(req: Request, limits: BodyLimits = defaultBodyLimits): Promise<BodyResult> {
  const refused = refuseContentType(req.headers.get("content-type"));
  if (refused) return refused;
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limits.maxBytes) return tooLarge(limits);
  if (!req.body) return { ok: false, status: 400, message: "The request has no body" };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limits.maxBytes) {
      await reader.cancel();
      return tooLarge(limits);
    }
    chunks.push(value);
  }
  return parseJsonBytes(Buffer.concat(chunks), limits);
}

/**
 * The same checks and answers for a body already read within `limits.maxBytes`
 * (the ingestion listener reads it from the socket before anything else).
 */
export function jsonBodyFrom(contentType: string | null, bytes: Uint8Array, limits: BodyLimits = defaultBodyLimits): BodyResult {
  const refused = refuseContentType(contentType);
  if (refused) return refused;
  if (bytes.byteLength > limits.maxBytes) return tooLarge(limits);
  return parseJsonBytes(bytes, limits);
}

function refuseContentType(type: string | null): BodyResult | null {
  const t = type ?? "";
  if (!/^application\/(json|[a-z.+-]*\+json)\b/i.test(t) && !/^text\/plain\b/i.test(t)) {
    return { ok: false, status: 415, message: "Send JSON with Content-Type: application/json" };
  }
  return null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
function parseJsonBytes(bytes: Uint8Array, limits: BodyLimits): BodyResult {
  let raw: string;
  try {
    raw = utf8.decode(bytes);
  } catch {
    return { ok: false, status: 400, message: "The body is not valid UTF-8" };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { ok: false, status: 400, message: `Malformed JSON: ${err instanceof Error ? err.message : "cannot parse"}` };
  }
  const shape = checkShape(value, limits);
  if (shape) return { ok: false, status: 400, message: shape };
  return { ok: true, value, raw };
}

/** What a body over the size limit is told (also by the ingestion listener, which stops reading it earlier). */
export function bodyTooLargeMessage(limits: BodyLimits = defaultBodyLimits): string {
  return `The body is larger than ${Math.round(limits.maxBytes / 1024)} KiB`;
}

function tooLarge(limits: BodyLimits): BodyResult {
  return { ok: false, status: 413, message: bodyTooLargeMessage(limits) };
}

/** Walks the parsed value iteratively (no recursion, so no stack overflow on hostile input). */
function checkShape(root: unknown, limits: BodyLimits): string | null {
  const stack: { v: unknown; depth: number }[] = [{ v: root, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (typeof v === "string") {
      if (v.length > limits.maxStringLength) return `A string is longer than ${limits.maxStringLength} characters`;
    } else if (typeof v === "object" && v !== null) {
      if (depth >= limits.maxDepth) return `The JSON is nested deeper than ${limits.maxDepth} levels`;
      for (const [k, child] of Object.entries(v)) {
        if (k.length > 256) return "An object key is longer than 256 characters";
        stack.push({ v: child, depth: depth + 1 });
      }
    }
  }
  return null;
}
