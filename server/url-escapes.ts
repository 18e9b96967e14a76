/** What a URL with a malformed percent-escape is told, by the app (proxy.ts) and the ingestion listener alike. */
export const malformedEscapeMessage = "The URL holds a malformed percent-escape (a % must be followed by two hex digits forming valid UTF-8).";

/** Whether some segment of `path` does not decode (`/api/v1/webhooks/%E0%A4%A`). */
export function hasMalformedEscape(path: string): boolean {
  if (!path.includes("%")) return false;
  try {
    for (const segment of path.split("/")) decodeURIComponent(segment);
    return false;
  } catch {
    return true;
  }
}
