import type { Db } from "@/db/client";
import { authenticateRequest } from "@/server/ingest/authenticate-request";
import { findUnstorable } from "@/server/journey/unstorable-text";
import { getCustomerTimeline } from "./get-customer-timeline";

/** GET /api/v1/customers/{userId}: profile, journeys, current steps, every transition and message with reasons (analytics:read). */
export async function getCustomerTimelineRoute(db: Db, req: Request, customerId: string): Promise<Response> {
  const authed = await authenticateRequest(db, req.headers.get("authorization"), "analytics:read");
  if (!authed.ok) return Response.json({ error: authed.message }, { status: 401 });
  if (customerId.length === 0 || customerId.length > 300) return Response.json({ error: "userId must be 1..300 characters" }, { status: 400 });
  const unstorable = findUnstorable(customerId);
  if (unstorable) return Response.json({ error: `userId ${unstorable.message}` }, { status: 400 });
  const timeline = await getCustomerTimeline(db, authed.workspaceId, customerId);
  if (!timeline) return Response.json({ error: `No customer "${customerId}"` }, { status: 404 });
  return Response.json(timeline, { headers: { "cache-control": "no-store" } });
}
