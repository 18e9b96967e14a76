"use client";

import { formatDistanceToNowStrict } from "date-fns";

/** "5 minutes ago", with the exact time on hover. */
export function TimeAgo({ date }: { date: Date }) {
  return (
    <time dateTime={date.toISOString()} title={date.toLocaleString()} suppressHydrationWarning>
      {formatDistanceToNowStrict(date, { addSuffix: true })}
    </time>
  );
}
