import { and, asc, desc, eq, ilike, inArray, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { customerAliases, customerStates, customers, effectStatuses, journeys, outbox, stepLog } from "@/db/schema";

export const timelineStepSchema = z.object({
  at: z.date(),
  journeyId: z.string(),
  version: z.number().nullable(),
  type: z.string(),
  nodeId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});

export const customerTimelineSchema = z.object({
  customerId: z.string(),
  traits: z.record(z.string(), z.unknown()),
  /** Predictive scores as of the customer's last step (an event, or the daily scoring tick). */
  scores: z.record(z.string(), z.number()),
  scoredAt: z.date().nullable(),
  timezone: z.string().nullable(),
  unsubscribed: z.boolean(),
  firstSeenAt: z.date(),
  lastSeenAt: z.date(),
  anonymousIds: z.array(z.string()),
  journeys: z.array(
    z.object({ journeyId: z.string(), status: z.enum(["active", "exited"]), currentNode: z.string().nullable(), enteredAt: z.date(), exitReason: z.string().nullable() }),
  ),
  steps: z.array(timelineStepSchema),
  messages: z.array(
    z.object({ key: z.string(), journeyId: z.string(), nodeId: z.string(), channel: z.string(), status: z.enum(effectStatuses), lastResult: z.string().nullable(), createdAt: z.date(), sentAt: z.date().nullable() }),
  ),
  /** The journeys named in the steps and messages (`journeyId` there is the journey's slug), with their names and ids, for people and links. */
  journeyNames: z.record(z.string(), z.object({ id: z.string(), name: z.string() })),
});
export type CustomerTimeline = z.infer<typeof customerTimelineSchema>;

/**
 * Where a customer is and why: profile, journeys with their current step,
 * every transition with its reason (the step log, including messages not sent
 * and why: capped, quiet hours, suppressed, unsubscribed, holdout), and the
 * messages with their delivery status.
 */
export async function getCustomerTimeline(db: Db, workspaceId: string, customerId: string): Promise<CustomerTimeline | null> {
  const profile = await db.query.customers.findFirst({ where: and(eq(customers.workspaceId, workspaceId), eq(customers.customerId, customerId)) });
  if (!profile) return null;
  const [aliases, steps, messages, scored] = await Promise.all([
    db.select({ id: customerAliases.anonymousId }).from(customerAliases).where(and(eq(customerAliases.workspaceId, workspaceId), eq(customerAliases.customerId, customerId))),
    db
      .select({ at: stepLog.at, journeyId: stepLog.journeyId, version: stepLog.version, type: stepLog.type, nodeId: stepLog.nodeId, detail: stepLog.detail })
      .from(stepLog)
      .where(and(eq(stepLog.workspaceId, workspaceId), eq(stepLog.customerId, customerId)))
      .orderBy(asc(stepLog.at), asc(stepLog.id))
      .limit(2000),
    db
      .select({ key: outbox.key, journeyId: outbox.journeyId, nodeId: outbox.nodeId, channel: outbox.channel, status: outbox.status, lastResult: outbox.lastResult, createdAt: outbox.createdAt, sentAt: outbox.sentAt })
      .from(outbox)
      .where(and(eq(outbox.workspaceId, workspaceId), eq(outbox.customerId, customerId)))
      .orderBy(desc(outbox.createdAt))
      .limit(500),
    db
      .select({ scores: sql<Record<string, number> | null>`${customerStates.state}->'lastScores'`, updatedAt: customerStates.updatedAt })
      .from(customerStates)
      .where(and(eq(customerStates.workspaceId, workspaceId), eq(customerStates.customerId, customerId))),
  ]);
  const scores = Object.fromEntries(Object.entries(scored[0]?.scores ?? {}).filter(([, v]) => typeof v === "number"));
  const slugs = [...new Set([...steps.map((s) => s.journeyId), ...messages.map((m) => m.journeyId)].filter((j) => j !== ""))];
  const named = slugs.length
    ? await db.select({ slug: journeys.slug, id: journeys.id, name: journeys.name }).from(journeys).where(and(eq(journeys.workspaceId, workspaceId), inArray(journeys.slug, slugs)))
    : [];
  return {
    customerId,
    traits: profile.traits,
    scores,
    scoredAt: Object.keys(scores).length ? (scored[0]?.updatedAt ?? null) : null,
    timezone: profile.timezone,
    unsubscribed: profile.unsubscribed,
    firstSeenAt: profile.firstSeenAt,
    lastSeenAt: profile.lastSeenAt,
    anonymousIds: aliases.map((a) => a.id),
    journeys: summarizeJourneys(steps),
    steps,
    messages,
    journeyNames: Object.fromEntries(named.map((j) => [j.slug, { id: j.id, name: j.name }])),
  };
}

/** Per journey: the latest stay (enter … exit), its current node and how it ended. */
export function summarizeJourneys(steps: z.infer<typeof timelineStepSchema>[]): CustomerTimeline["journeys"] {
  const byJourney = new Map<string, CustomerTimeline["journeys"][number]>();
  for (const s of steps) {
    if (s.type === "enter") {
      byJourney.set(s.journeyId, { journeyId: s.journeyId, status: "active", currentNode: null, enteredAt: s.at, exitReason: null });
      continue;
    }
    const j = byJourney.get(s.journeyId);
    if (!j) continue;
    if (s.type === "exit") {
      j.status = "exited";
      j.exitReason = typeof s.detail.reason === "string" ? s.detail.reason : null;
    } else if (s.nodeId && j.status === "active") {
      j.currentNode = s.nodeId;
    }
  }
  return [...byJourney.values()];
}

/** Customers whose id or traits (email, name) match, for the search box. */
export async function searchCustomers(db: Db, workspaceId: string, query: string) {
  const q = `%${query.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
  return db
    .select({ customerId: customers.customerId, traits: customers.traits, lastSeenAt: customers.lastSeenAt })
    .from(customers)
    .where(and(eq(customers.workspaceId, workspaceId), query ? or(ilike(customers.customerId, q), sql`${customers.traits}::text ilike ${q}`) : undefined))
    .orderBy(desc(customers.lastSeenAt))
    .limit(25);
}
