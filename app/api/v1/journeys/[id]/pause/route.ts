import { getDb } from "@/db/client";
import { journeyActionRoute } from "@/server/journeys/management-api";

export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return journeyActionRoute(await getDb(), req, (await params).id, "pause");
}
