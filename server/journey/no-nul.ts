/**
 * The path of the first string or key holding U+0000, or null. Postgres text
 * and jsonb cannot hold it, so it would fail the whole request at the database
 * (a 500); found while validating, it is a 400 that says where (events,
 * journey documents). Iterative: a deeply nested
 * property cannot overflow the stack.
 */
export function pathOfNul(value: unknown): string | null {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: "" }];
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === "string") {
      if (v.includes("\u0000")) return path;
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, path: join(path, String(i)) }));
    } else if (typeof v === "object" && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes("\u0000")) return join(path, JSON.stringify(k).slice(1, -1));
        stack.push({ v: x, path: join(path, k) });
      }
    }
  }
  return null;
}
