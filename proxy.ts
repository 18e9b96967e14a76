import { NextResponse, type NextRequest } from "next/server";
import { hasMalformedEscape, malformedEscapeMessage } from "@/server/url-escapes";

/**
 * Next.js decodes a dynamic route's segments before any route code runs, and
 * a malformed percent-escape (`/api/v1/customers/%E0%A4%A`) made it throw and
 * answer a bare 500. Here, before routing, such a path gets a 400 that says
 * what is wrong: JSON for the API, plain text for pages. Only routes with a
 * dynamic segment pass through here (see the matcher), so ingestion
 * (/api/v1/batch, /api/v1/track) pays nothing.
 */
export function proxy(request: NextRequest) {
  const path = request.nextUrl.pathname;
  if (!hasMalformedEscape(path)) return NextResponse.next();
  if (path.startsWith("/api/")) return NextResponse.json({ error: malformedEscapeMessage }, { status: 400 });
  return new NextResponse(malformedEscapeMessage, { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
}

export const config = {
  matcher: [
    "/customers/:path+",
    "/journeys/:path+",
    "/api/auth/:path+",
    "/api/trpc/:path+",
    "/api/v1/customers/:path+",
    "/api/v1/journeys/:path+",
    "/api/v1/webhooks/:path+",
  ],
};
