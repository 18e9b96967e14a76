/**
 * Any /api/v1 path no route serves: a JSON 404 that says so, as the API's other answers are JSON (Next's own 404 is
 * an HTML page). The routes that exist take precedence over this catch-all.
 */
function notFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  return Response.json({ error: `No such API endpoint: ${request.method} ${path}. The API serves /api/v1/track, /identify, /batch, /webhooks/{source}, /journeys/{id} and /customers/{userId}.` }, { status: 404, headers: { "cache-control": "no-store" } });
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
