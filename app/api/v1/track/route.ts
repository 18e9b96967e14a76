import { getDb } from "@/db/client";
import { handleIngest } from "@/server/ingest/handle-ingest";

export async function POST(req: Request) {
  return handleIngest(await getDb(), req, "track");
}
