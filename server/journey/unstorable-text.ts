/**
 * What in a JSON value cannot be stored as it was sent, in any string, key or
 * number: the NUL character (U+0000: text and jsonb cannot hold it) and
 * unpaired UTF-16 surrogates (not Unicode at all: jsonb refuses `"\ud800"`),
 * which reaching the database fail the whole request as a 500; a number too
 * large for a double (`1e400` parses as Infinity, which JSON stores as null);
 * and the key `__proto__` (copying the object, as validation does, sets the
 * copy's prototype instead of a key: the value vanishes). Found while
 * validating (events, journey documents, every tRPC input), each is a 400 that
 * says where. Iterative: a deeply nested property cannot overflow the stack.
 */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function problemOf(s: string): string | null {
  if (s.includes("\u0000")) return "contains the NUL character (\\u0000), which cannot be stored: remove it";
  if (loneSurrogate.test(s)) return "contains an unpaired UTF-16 surrogate (not valid Unicode), which cannot be stored: fix the text's encoding";
  return null;
}

export function findUnstorable(value: unknown): { path: string; message: string } | null {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: "" }];
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === "string") {
      const message = problemOf(v);
      if (message) return { path, message };
    } else if (typeof v === "number") {
      if (!Number.isFinite(v)) return { path, message: "is a number too large to store (numbers must fit a double, such as 1e308)" };
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, path: join(path, String(i)) }));
    } else if (typeof v === "object" && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        const message = problemOf(k);
        // The key itself is the problem: shown JSON-escaped, so the path stays readable.
        if (message) return { path: join(path, JSON.stringify(k).slice(1, -1)), message };
        if (k === "__proto__") return { path: join(path, k), message: 'is a key that cannot be kept ("__proto__"): rename it' };
        stack.push({ v: x, path: join(path, k) });
      }
    }
  }
  return null;
}

/** The text with what Postgres cannot store (NUL, unpaired surrogates) replaced by U+FFFD: for text we record rather than refuse, such as a provider's answer. */
export function storableText(s: string): string {
  return s.replace(/\u0000/g, "\uFFFD").replace(new RegExp(loneSurrogate.source, "g"), "\uFFFD");
}
