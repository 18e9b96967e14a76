import { getDb } from "@/db/client";
import { getCustomerTimelineRoute } from "@/server/customers/customer-api";

// Next.js hands route handlers their params already decoded: decoding again broke ids with "%" (500) or "%2F" (the wrong customer).
export async function GET(req: Request, { params }: { params: Promise<{ userId: string }> }) {
  return getCustomerTimelineRoute(await getDb(), req, (await params).userId);
}
