import Link from "next/link";
import { Button } from "./button";

/** Empty, loading and error states share one look so every list reads the same way. */
export function EmptyState({ icon, title, children, action }: { icon?: React.ReactNode; title: string; children?: React.ReactNode; action?: React.ReactNode }) {
  return (
    <div className="flex flex-col items-center justify-center px-6 py-14 text-center">
      {icon ? <div className="mb-3 rounded-full bg-brand-50 p-3 text-brand-600">{icon}</div> : null}
      <h3 className="text-sm font-semibold text-ink">{title}</h3>
      {children ? <div className="mt-1 max-w-sm text-sm text-ink-muted">{children}</div> : null}
      {action ? <div className="mt-4">{action}</div> : null}
    </div>
  );
}

export function LoadingRows({ rows = 4, label = "Loading" }: { rows?: number; label?: string }) {
  return (
    <div role="status" aria-label={label} className="divide-y divide-surface-line">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="flex animate-pulse items-center gap-4 px-5 py-4">
          <div className="h-4 w-1/3 rounded bg-slate-200" />
          <div className="h-4 w-16 rounded bg-slate-100" />
          <div className="ml-auto h-4 w-24 rounded bg-slate-100" />
        </div>
      ))}
    </div>
  );
}

/**
 * A query that failed. Given the error's `code` (tRPC's `error.data?.code`), a record that does not exist is said
 * plainly, with a way back, instead of an error to retry: retrying cannot bring it back.
 */
export function ErrorState({ message, onRetry, code, back }: { message: string; onRetry?: () => void; code?: string; back?: { href: string; label: string } }) {
  if (code === "NOT_FOUND") {
    return (
      <div role="status" className="flex flex-col items-center px-6 py-12 text-center">
        <p className="text-sm font-semibold text-ink">Not found</p>
        <p className="mt-1 max-w-md text-sm text-ink-muted">{message}</p>
        {back ? (
          <Link href={back.href} className="mt-4 text-sm font-medium text-brand-700 hover:underline">
            {back.label}
          </Link>
        ) : null}
      </div>
    );
  }
  return (
    <div role="alert" className="flex flex-col items-center px-6 py-12 text-center">
      <p className="text-sm font-semibold text-red-700">Something went wrong</p>
      <p className="mt-1 max-w-md text-sm text-ink-muted">{message}</p>
      {onRetry ? (
        <Button variant="secondary" className="mt-4" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}
