import { getDb } from "@/db/client";
import { handleIngest } from "@/server/ingest/handle-ingest";

export async function POST(req: Request) {
  return handleIngest(await getDb(), req, "track");
}

// The other methods: a JSON 405, and OPTIONS with what the route takes.
export { DELETE, GET, OPTIONS, PATCH, PUT } from "@/server/ingest/other-methods";
