"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TimeAgo } from "@/components/ui/time-ago";

const slugFrom = (name: string) =>
  name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);

/** Settings → Event sources: signed webhook endpoints (POST /api/v1/webhooks/{slug}); the signing secret is shown once. */
export function EventSourcesPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sources = useQuery(trpc.workspace.eventSources.queryOptions());
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugTouched, setSlugTouched] = useState(false);
  const [shown, setShown] = useState<{ title: string; slug: string; secret: string } | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const invalidate = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.workspace.eventSources.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.workspace.auditLog.queryKey() }),
    ]);
  const create = useMutation(
    trpc.workspace.createEventSource.mutationOptions({
      onSuccess: (res) => {
        setShown({ title: `Source “${name}” created.`, slug: res.slug, secret: res.secret });
        setCreating(false);
        setName("");
        setSlug("");
        setSlugTouched(false);
        void invalidate();
      },
    }),
  );
  const roll = useMutation(
    trpc.workspace.rollEventSourceSecret.mutationOptions({
      onSuccess: (res) => {
        setShown({ title: `New signing secret for “${res.name}”. The old one no longer works.`, slug: res.slug, secret: res.secret });
        void invalidate();
      },
    }),
  );
  const revoke = useMutation(trpc.workspace.revokeEventSource.mutationOptions({ onSuccess: () => void invalidate() }));
  const pathOf = (s: string) => `/api/v1/webhooks/${s}`;
  // Read in event handlers and the shown-once panel only (after an action), never while the server renders.
  const urlOf = (s: string) => `${window.location.origin}${pathOf(s)}`;
  const copy = (what: string, text: string) => void navigator.clipboard?.writeText(text).then(() => setCopied(what));
  const fieldErrors = create.error?.data?.zodError?.fieldErrors as Record<string, string[] | undefined> | undefined;

  return (
    <Card>
      <CardHeader
        title="Event sources"
        description="Signed webhook endpoints for systems that cannot send an API key (shops, payment providers): each request is signed with the source's secret (HMAC with a timestamp). The secret is shown once."
        action={!creating ? <Button onClick={() => { setCreating(true); setShown(null); create.reset(); }}>New source</Button> : null}
      />
      {shown ? (
        <div className="space-y-2 border-b border-surface-line bg-emerald-50 px-5 py-4" role="status">
          <p className="text-sm font-medium text-emerald-900">{shown.title} Copy the secret now: it will not be shown again.</p>
          <div className="flex items-center gap-2">
            <span className="w-16 text-xs text-emerald-900">URL</span>
            <code className="flex-1 overflow-x-auto rounded-md bg-white px-3 py-2 font-mono text-sm ring-1 ring-emerald-200">{urlOf(shown.slug)}</code>
            <Button variant="secondary" onClick={() => copy("url", urlOf(shown.slug))}>{copied === "url" ? "Copied" : "Copy"}</Button>
          </div>
          <div className="flex items-center gap-2">
            <span className="w-16 text-xs text-emerald-900">Secret</span>
            <code data-testid="new-source-secret" className="flex-1 overflow-x-auto rounded-md bg-white px-3 py-2 font-mono text-sm ring-1 ring-emerald-200">{shown.secret}</code>
            <Button variant="secondary" onClick={() => copy("secret", shown.secret)}>{copied === "secret" ? "Copied" : "Copy"}</Button>
          </div>
          <p className="text-xs text-emerald-900">
            Sign each request: header <code className="font-mono">X-Waymark-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of “t.body” with the secret&gt;</code>; older than 5 minutes or wrongly signed gets 401. The body is one event or <code className="font-mono">{"{\"batch\": [...]}"}</code>.
          </p>
          <div className="flex justify-end">
            <Button variant="ghost" onClick={() => { setShown(null); setCopied(null); }}>Done</Button>
          </div>
        </div>
      ) : null}
      {creating ? (
        <form
          className="grid gap-4 border-b border-surface-line bg-surface-sunken/50 px-5 py-4 sm:grid-cols-2"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate({ name, slug });
          }}
        >
          <Field
            label="Source name"
            value={name}
            autoFocus
            maxLength={80}
            placeholder="Shopify orders"
            onChange={(e) => {
              setName(e.target.value);
              if (!slugTouched) setSlug(slugFrom(e.target.value));
            }}
            error={fieldErrors?.name?.[0]}
          />
          <Field
            label="Slug"
            value={slug}
            maxLength={63}
            placeholder="shopify-orders"
            onChange={(e) => {
              setSlug(e.target.value);
              setSlugTouched(true);
            }}
            hint={slug ? `Webhook URL: …${pathOf(slug)}` : "The end of the webhook URL"}
            error={fieldErrors?.slug?.[0]}
          />
          {create.error && !fieldErrors ? <p role="alert" className="text-sm text-red-600 sm:col-span-2">{create.error.message}</p> : null}
          <div className="flex gap-2 sm:col-span-2">
            <Button type="submit" disabled={create.isPending || !name.trim() || !slug.trim()}>
              {create.isPending ? "Creating…" : "Create source"}
            </Button>
            <Button variant="ghost" onClick={() => setCreating(false)}>Cancel</Button>
          </div>
        </form>
      ) : null}
      {sources.isPending ? (
        <LoadingRows rows={2} label="Loading event sources" />
      ) : sources.isError ? (
        <ErrorState message={sources.error.message} onRetry={() => void sources.refetch()} />
      ) : sources.data.length === 0 ? (
        <EmptyState title="No event sources">Create one to receive signed webhooks from a shop, a payment provider or your own backend.</EmptyState>
      ) : (
        <ul className="divide-y divide-surface-line" data-testid="source-list">
          {sources.data.map((s) => (
            <li key={s.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-5 py-3.5" data-testid="source-row">
              <div className="min-w-48 flex-1">
                <p className="text-sm font-medium text-ink">{s.name}</p>
                <p className="truncate font-mono text-xs text-ink-muted">/api/v1/webhooks/{s.slug}</p>
              </div>
              <p className="w-32 text-xs text-ink-muted">
                Created <TimeAgo date={s.createdAt} />
              </p>
              {s.revokedAt ? (
                <Badge tone="red">Revoked</Badge>
              ) : (
                <div className="flex gap-2">
                  <Button
                    variant="secondary"
                    size="sm"
                    disabled={roll.isPending}
                    onClick={() => {
                      if (window.confirm(`Make a new signing secret for “${s.name}”? Requests signed with the old one get 401 at once.`)) roll.mutate({ id: s.id });
                    }}
                  >
                    Roll secret
                  </Button>
                  <Button
                    variant="danger"
                    size="sm"
                    disabled={revoke.isPending}
                    onClick={() => {
                      if (window.confirm(`Revoke “${s.name}”? Its webhook URL answers 401 from now on, and the slug stays taken.`)) revoke.mutate({ id: s.id });
                    }}
                  >
                    Revoke
                  </Button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
