import { getDb } from "@/db/client";
import { handleWebhook } from "@/server/ingest/handle-ingest";

export async function POST(req: Request, { params }: { params: Promise<{ source: string }> }) {
  return handleWebhook(await getDb(), req, (await params).source);
}

// The other methods: a JSON 405, and OPTIONS with what the route takes.
export { DELETE, GET, OPTIONS, PATCH, PUT } from "@/server/ingest/other-methods";
