import { z } from "zod";
import { scoringSettingsSchema } from "@/server/scores/activity";
import { isDuration, withinMaxDuration } from "./durations";
import { findUnstorable } from "./unstorable-text";
import { isTimeZone, parseClock } from "./local-time";

/** The journey document, format v1 (spec/journey-format.md). Node configs are checked per kind by the registry. */
export const journeyFormat = "waymark.journey/v1";

export const durationSchema = z
  .string()
  .refine(isDuration, { message: "must be an ISO 8601 duration such as PT30M, PT2H or P3D", abort: true })
  .refine(withinMaxDuration, { message: "must be at most 10 years (P10Y)" });
export const clockSchema = z.string().refine((t) => parseClock(t) !== null, { message: "must be a local time HH:MM, e.g. 09:00" });
export const channels = ["email", "sms", "push", "in_app", "webhook"] as const;
export const channelSchema = z.enum(channels);
export type Channel = z.infer<typeof channelSchema>;

export const frequencyCapSchema = z
  .object({ channel: z.union([z.literal("any"), channelSchema]).default("any"), max: z.number().int().min(0).max(10_000), per: durationSchema })
  .strict();
export type FrequencyCap = z.infer<typeof frequencyCapSchema>;
export const quietHoursSchema = z.object({ start: clockSchema, end: clockSchema }).strict();

export const journeySettingsSchema = z
  .object({
    priority: z.number().int().min(0).max(100).default(50),
    reentry: z.enum(["never", "after_exit", "always"]).default("after_exit"),
    reentryCooldown: durationSchema.optional(),
    goal: z.object({ event: z.string().min(1).max(200), within: durationSchema.default("P7D"), exitOnGoal: z.boolean().default(true) }).strict().optional(),
    holdoutPercent: z.number().min(0).max(50).default(0),
    timezone: z
      .string()
      .refine((tz) => tz === "customer" || isTimeZone(tz), { message: 'must be "customer" or an IANA time zone such as Europe/Paris' })
      .default("customer"),
  })
  .strict();
export type JourneySettings = z.infer<typeof journeySettingsSchema>;

export const positionSchema = z.object({ x: z.number(), y: z.number() }).strict();

export const journeyNodeSchema = z
  .object({
    id: z.string().min(1, "A node needs an id").max(100).regex(/^[A-Za-z0-9_-]+$/, "Node ids use letters, digits, - and _"),
    kind: z.string(),
    config: z.record(z.string(), z.unknown()).default({}),
    position: positionSchema.optional(),
    /** Optional display name the canvas may keep. */
    label: z.string().max(200).optional(),
  })
  .strict();
export type JourneyNode = z.infer<typeof journeyNodeSchema>;

export const journeyEdgeSchema = z
  .object({ id: z.string().max(200).optional(), from: z.string().min(1), to: z.string().min(1), handle: z.string().min(1).max(100).default("next") })
  .strict();
export type JourneyEdge = z.infer<typeof journeyEdgeSchema>;

const journeyDocumentObject = z
  .object({
    format: z.literal(journeyFormat, { message: `format must be "${journeyFormat}"` }),
    id: z.string().min(1).max(100).regex(/^[a-z0-9][a-z0-9_-]*$/, "The journey id is a slug: lowercase letters, digits, - and _"),
    name: z.string().min(1, "Give the journey a name").max(200),
    description: z.string().max(2000).optional(),
    settings: journeySettingsSchema.default(journeySettingsSchema.parse({})),
    nodes: z.array(journeyNodeSchema).max(2000),
    edges: z.array(journeyEdgeSchema).max(5000),
  })
  .strict();

/**
 * The document as sent is checked first for what cannot be stored as it is (findUnstorable): the input, not the
 * parsed copy, where a `__proto__` key would already be gone.
 */
export const journeyDocumentSchema = z.preprocess((raw, ctx) => {
  const found = findUnstorable(raw);
  if (found) ctx.issues.push({ code: "custom", path: found.path ? found.path.split(".") : [], message: found.message, input: raw });
  return raw;
}, journeyDocumentObject);
export type JourneyDocument = z.output<typeof journeyDocumentObject>;
export type JourneyDocumentInput = z.input<typeof journeyDocumentObject>;

/** Workspace-wide limits (spec "Workspace settings"); the simulator reads them from --workspace. */
export const workspaceSettingsSchema = z
  .object({
    maxConcurrentJourneys: z.number().int().min(1).optional(),
    frequencyCap: z.array(frequencyCapSchema).default([]),
    quietHours: quietHoursSchema.optional(),
    globalHoldoutPercent: z.number().min(0).max(50).default(0),
    /** How predictive scores label outcomes (purchase event, churn and purchase windows). */
    scoring: scoringSettingsSchema.prefault({}),
  })
  .strict();
export type WorkspaceSettings = z.infer<typeof workspaceSettingsSchema>;

/** A validation finding, pinned to a node or edge when it has one. */
export const issueSchema = z.object({
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  code: z.string(),
  severity: z.enum(["error", "warning"]),
  message: z.string(),
});
export type Issue = z.infer<typeof issueSchema>;
