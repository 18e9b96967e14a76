import { z } from "zod";
import { findUnstorable } from "@/server/journey/unstorable-text";

/**
 * One event of the ingestion API (spec/events-api.md), the Segment Spec shape.
 * Unknown top-level fields (Segment's `channel`, `integrations`, `sentAt`, …)
 * are accepted and ignored so an existing destination posts without a
 * transform; known fields of the wrong type are refused.
 */
const idSchema = z.string().min(1, "must not be empty").max(256, "must be at most 256 characters");
const objectSchema = z.record(z.string(), z.unknown());

/** Anonymous visitors' customer ids are this prefix and their anonymousId. */
const anonymousPrefix = "anon:";

export const maxEventAgeMs = 365 * 24 * 3600 * 1000;
export const maxEventFutureMs = 24 * 3600 * 1000;

export const incomingEventSchema = z
  .object({
    type: z.enum(["track", "identify"], { message: 'must be "track" or "identify"' }).optional(),
    userId: z.union([idSchema, z.number().transform(String)]).optional().nullable(),
    anonymousId: z.union([idSchema, z.number().transform(String)]).optional().nullable(),
    event: z.string().min(1, "must not be empty").max(200, "must be at most 200 characters").optional(),
    properties: objectSchema.optional(),
    traits: objectSchema.optional(),
    timestamp: z.iso.datetime({ offset: true, message: "must be an ISO 8601 time with a time zone, e.g. 2026-01-01T10:00:00Z" }).optional(),
    messageId: z.string().min(1).max(200, "must be at most 200 characters").optional(),
    context: objectSchema.optional(),
  })
  .loose();
export type IncomingEvent = z.infer<typeof incomingEventSchema>;

/** An event ready to store: ids resolved, defaults applied. */
export type NormalizedEvent = {
  type: "track" | "identify";
  userId: string | null;
  anonymousId: string | null;
  customerId: string;
  name: string;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
  timestamp: Date;
  messageId: string;
};

export type EventError = { index: number; path: string; message: string };

/** The type of one event sent on its own where both kinds are taken (a webhook source, the simulator): track unless it says identify. */
export function singleEventType(raw: unknown): "track" | "identify" {
  return (raw as { type?: unknown } | null)?.type === "identify" ? "identify" : "track";
}

/**
 * Checks the rules zod cannot express alone (ids, event name for track, time
 * window) and fills defaults. `defaultType` is the endpoint's; `now` is the
 * time received; `fallbackMessageId` makes events without a messageId unique.
 * `timeWindow: false` (the simulator, whose events are at any time) skips the
 * window around `now`.
 */
export function normalizeEvent(
  raw: unknown,
  index: number,
  opts: { defaultType: "track" | "identify" | null; now: Date; fallbackMessageId: () => string; timeWindow?: boolean },
): { ok: true; event: NormalizedEvent } | { ok: false; errors: EventError[] } {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, errors: [{ index, path: "", message: "each event must be a JSON object" }] };
  }
  const parsed = incomingEventSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => ({ index, path: i.path.join("."), message: i.message })) };
  }
  const e = parsed.data;
  const errors: EventError[] = [];
  const unstorable = findUnstorable(raw);
  if (unstorable) errors.push({ index, path: unstorable.path, message: unstorable.message });
  const type = e.type ?? opts.defaultType;
  if (!type) errors.push({ index, path: "type", message: 'is required in a batch: "track" or "identify"' });
  if (opts.defaultType && e.type && e.type !== opts.defaultType) {
    errors.push({ index, path: "type", message: `must be "${opts.defaultType}" on this endpoint` });
  }
  const userId = e.userId ?? null;
  const anonymousId = e.anonymousId ?? null;
  if (!userId && !anonymousId) errors.push({ index, path: "userId", message: "userId or anonymousId is required" });
  // An anonymous visitor's profile is the customer `anon:<anonymousId>`: a userId of that form would write into it.
  if (userId?.startsWith(anonymousPrefix)) errors.push({ index, path: "userId", message: `must not start with "${anonymousPrefix}" (the prefix of anonymous visitors' profiles)` });
  if (type === "track" && !e.event) errors.push({ index, path: "event", message: "is required for track" });
  const timestamp = e.timestamp ? new Date(e.timestamp) : opts.now;
  if (opts.timeWindow !== false) {
    if (timestamp.getTime() < opts.now.getTime() - maxEventAgeMs) errors.push({ index, path: "timestamp", message: "is more than 1 year in the past" });
    if (timestamp.getTime() > opts.now.getTime() + maxEventFutureMs) errors.push({ index, path: "timestamp", message: "is more than 1 day in the future" });
  }
  if (errors.length > 0 || !type) return { ok: false, errors };
  const contextTraits = (e.context?.traits ?? undefined) as Record<string, unknown> | undefined;
  return {
    ok: true,
    event: {
      type,
      userId,
      anonymousId,
      customerId: userId ?? `${anonymousPrefix}${anonymousId}`,
      name: type === "track" ? e.event! : "identify",
      properties: type === "track" ? (e.properties ?? {}) : {},
      traits: type === "identify" ? { ...(isPlainObject(contextTraits) ? contextTraits : {}), ...(e.traits ?? {}) } : {},
      context: e.context ?? {},
      timestamp,
      messageId: e.messageId ?? opts.fallbackMessageId(),
    },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

