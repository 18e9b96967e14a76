import { getDb } from "@/db/client";
import { getCustomerTimelineRoute } from "@/server/customers/customer-api";

export async function GET(req: Request, { params }: { params: Promise<{ userId: string }> }) {
  return getCustomerTimelineRoute(await getDb(), req, decodeURIComponent((await params).userId));
}
