import { getDb } from "@/db/client";
import { handleIngest, ingestOptions, onlyPost, toResponse } from "@/server/ingest/handle-ingest";

export async function POST(req: Request) {
  return handleIngest(await getDb(), req, "batch");
}

/** Events come by POST only: the other methods get a JSON 405 saying so (Next's own is empty), as from the listener. */
const notPost = () => toResponse(onlyPost());
export const GET = notPost;
export const PUT = notPost;
export const PATCH = notPost;
export const DELETE = notPost;
/** What the route takes (Next's own OPTIONS would list every method exported here). */
export const OPTIONS = () => toResponse(ingestOptions());
