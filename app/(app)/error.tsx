"use client";

import { Card } from "@/components/ui/card";
import { ErrorState } from "@/components/ui/states";

export default function AppError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <Card>
      <ErrorState message={error.digest ? `The server could not load this page (ref ${error.digest}).` : error.message} onRetry={reset} />
    </Card>
  );
}
