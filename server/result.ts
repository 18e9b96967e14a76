/** Expected failures are values, not exceptions: the transport turns them into 4xx answers. */
export type Failure = { ok: false; code: "invalid" | "not_found" | "conflict" | "forbidden"; message: string };
export type Result<T> = { ok: true; value: T } | Failure;

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: Failure["code"], message: string): Failure => ({ ok: false, code, message });
