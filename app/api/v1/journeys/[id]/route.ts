import { getDb } from "@/db/client";
import { getJourneyRoute, putJourneyRoute } from "@/server/journeys/management-api";

type Params = { params: Promise<{ id: string }> };

export async function GET(req: Request, { params }: Params) {
  return getJourneyRoute(await getDb(), req, (await params).id);
}

export async function PUT(req: Request, { params }: Params) {
  return putJourneyRoute(await getDb(), req, (await params).id);
}
