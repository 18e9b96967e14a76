import { getDb } from "@/db/client";
import { handleWebhook } from "@/server/ingest/handle-ingest";

export async function POST(req: Request, { params }: { params: Promise<{ source: string }> }) {
  return handleWebhook(await getDb(), req, (await params).source);
}
