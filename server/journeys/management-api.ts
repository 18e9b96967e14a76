import type { Db } from "@/db/client";
import { authenticateRequest } from "@/server/ingest/authenticate-request";
import { readJsonBody } from "@/server/ingest/read-json-body";
import type { Failure } from "@/server/result";
import { recordAudit } from "@/server/workspaces/record-audit";
import { getJourney } from "./get-journey";
import { publishJourney } from "./publish-journey";
import { putJourneyDocument } from "./put-journey-document";
import { setJourneyStatus } from "./set-journey-status";

/** HTTP shell of the journey management API (journeys as code), `journeys:write` scope. */
const statusOf = { invalid: 400, not_found: 404, conflict: 409, forbidden: 403 } as const satisfies Record<Failure["code"], number>;
const slugPattern = /^[a-z0-9][a-z0-9_-]{0,99}$/;

function failure(f: Failure & { issues?: unknown[] }) {
  return Response.json({ error: f.message, ...(f.issues ? { issues: f.issues } : {}) }, { status: statusOf[f.code] });
}

async function authorize(db: Db, req: Request, slug: string): Promise<{ ok: false; response: Response } | { ok: true; workspaceId: string }> {
  const authed = await authenticateRequest(db, req.headers.get("authorization"), "journeys:write");
  if (!authed.ok) return { ok: false, response: Response.json({ error: authed.message }, { status: 401 }) };
  if (!slugPattern.test(slug)) return { ok: false, response: Response.json({ error: "Journey ids are slugs: lowercase letters, digits, - and _" }, { status: 400 }) };
  return { ok: true, workspaceId: authed.workspaceId };
}

export async function putJourneyRoute(db: Db, req: Request, slug: string): Promise<Response> {
  const auth = await authorize(db, req, slug);
  if (!auth.ok) return auth.response;
  const body = await readJsonBody(req);
  if (!body.ok) return Response.json({ error: body.message }, { status: body.status });
  const res = await putJourneyDocument(db, { workspaceId: auth.workspaceId, slug, document: body.value, userId: null });
  if (!res.ok) return failure(res);
  await recordAudit(db, { workspaceId: auth.workspaceId, actorId: null, action: res.value.created ? "journey.create" : "journey.save", target: slug, detail: "via API" });
  return Response.json({ id: slug, created: res.value.created, revision: res.value.revision, issues: res.value.issues }, { status: res.value.created ? 201 : 200 });
}

export async function getJourneyRoute(db: Db, req: Request, slug: string): Promise<Response> {
  const auth = await authorize(db, req, slug);
  if (!auth.ok) return auth.response;
  const journey = await getJourney(db, auth.workspaceId, slug);
  if (!journey) return Response.json({ error: `No journey "${slug}"` }, { status: 404 });
  return Response.json(journey.draft, { headers: { "x-waymark-status": journey.status, "x-waymark-live-version": String(journey.liveVersion ?? "") } });
}

export async function journeyActionRoute(db: Db, req: Request, slug: string, action: "publish" | "pause"): Promise<Response> {
  const auth = await authorize(db, req, slug);
  if (!auth.ok) return auth.response;
  const journey = await getJourney(db, auth.workspaceId, slug);
  if (!journey) return Response.json({ error: `No journey "${slug}"` }, { status: 404 });
  const mode = action === "pause" ? await pauseModeOf(req) : "finish";
  if (mode === null) return Response.json({ error: 'mode must be "finish" (customers in the journey go on to its end; the default) or "hold" (they stay where they are until it resumes), as ?mode= or a JSON body {"mode": …}' }, { status: 400 });
  const res =
    action === "publish"
      ? await publishJourney(db, { workspaceId: auth.workspaceId, journeyId: journey.id, userId: null })
      : await setJourneyStatus(db, { workspaceId: auth.workspaceId, journeyId: journey.id, move: "pause", hold: mode === "hold" });
  if (!res.ok) return failure(res);
  await recordAudit(db, { workspaceId: auth.workspaceId, actorId: null, action: `journey.${action}`, target: slug, detail: action === "pause" ? `via API, ${mode}` : "via API" });
  return Response.json({ id: slug, ...res.value });
}

/** How to pause: `?mode=` or a JSON body `{"mode": …}`; neither means "finish". Null when invalid. */
async function pauseModeOf(req: Request): Promise<"finish" | "hold" | null> {
  let mode: unknown = new URL(req.url).searchParams.get("mode");
  const text = await req.text().catch(() => "");
  if (text.trim()) {
    try {
      const body = JSON.parse(text) as unknown;
      if (typeof body !== "object" || body === null || Array.isArray(body)) return null;
      mode = (body as { mode?: unknown }).mode ?? mode;
    } catch {
      return null;
    }
  }
  if (mode === null || mode === undefined) return "finish";
  return mode === "finish" || mode === "hold" ? mode : null;
}
