"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { apiKeyScopes, type ApiKeyScope } from "@/db/schema";
import { useTRPC } from "@/components/trpc/provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { EmptyState, ErrorState, LoadingRows } from "@/components/ui/states";
import { TimeAgo } from "@/components/ui/time-ago";

const scopeHelp = {
  "events:write": "Send events to /api/v1 (track, identify, batch)",
  "journeys:write": "Manage journeys as code (PUT, publish, pause)",
  "analytics:read": "Read customers and analytics",
} as const satisfies Record<ApiKeyScope, string>;

export function ApiKeysPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.workspace.apiKeys.queryOptions());
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ApiKeyScope[]>(["events:write"]);
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const invalidate = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.workspace.apiKeys.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.workspace.auditLog.queryKey() }),
    ]);

  const create = useMutation(
    trpc.workspace.createApiKey.mutationOptions({
      onSuccess: (res) => {
        setCreated({ key: res.key, name });
        setCreating(false);
        setName("");
        setScopes(["events:write"]);
        void invalidate();
      },
    }),
  );
  const revoke = useMutation(trpc.workspace.revokeApiKey.mutationOptions({ onSuccess: () => void invalidate() }));

  return (
    <Card>
      <CardHeader
        title="API keys"
        description="Keys let webhooks and data pipelines send events, and tools manage journeys. A key is shown once."
        action={
          !creating ? (
            <Button onClick={() => { setCreating(true); setCreated(null); create.reset(); }}>New API key</Button>
          ) : null
        }
      />
      {created ? (
        <div className="border-b border-surface-line bg-emerald-50 px-5 py-4" role="status">
          <p className="text-sm font-medium text-emerald-900">Key “{created.name}” created. Copy it now: it will not be shown again.</p>
          <div className="mt-2 flex items-center gap-2">
            <code data-testid="new-api-key" className="flex-1 overflow-x-auto rounded-md bg-white px-3 py-2 font-mono text-sm ring-1 ring-emerald-200">
              {created.key}
            </code>
            <Button
              variant="secondary"
              onClick={() => void navigator.clipboard?.writeText(created.key).then(() => setCopied(true))}
            >
              {copied ? "Copied" : "Copy"}
            </Button>
            <Button variant="ghost" onClick={() => { setCreated(null); setCopied(false); }}>Done</Button>
          </div>
        </div>
      ) : null}
      {creating ? (
        <form
          className="space-y-4 border-b border-surface-line bg-surface-sunken/50 px-5 py-4"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate({ name, scopes });
          }}
        >
          <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Segment production" autoFocus maxLength={80}
            error={(create.error?.data?.zodError?.fieldErrors as Record<string, string[] | undefined> | undefined)?.name?.[0]} />
          <fieldset>
            <legend className="text-sm font-medium text-ink-soft">Scopes</legend>
            <div className="mt-2 space-y-2">
              {apiKeyScopes.map((s) => (
                <label key={s} className="flex items-start gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="mt-0.5 h-4 w-4 rounded border-surface-line text-brand-600"
                    checked={scopes.includes(s)}
                    onChange={(e) => setScopes((cur) => (e.target.checked ? [...cur, s] : cur.filter((x) => x !== s)))}
                  />
                  <span>
                    <span className="font-mono text-ink">{s}</span>
                    <span className="block text-xs text-ink-muted">{scopeHelp[s]}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          {create.error ? <p role="alert" className="text-sm text-red-600">{create.error.data?.zodError ? "Check the fields above." : create.error.message}</p> : null}
          <div className="flex gap-2">
            <Button type="submit" disabled={create.isPending || !name.trim() || scopes.length === 0}>
              {create.isPending ? "Creating…" : "Create key"}
            </Button>
            <Button variant="ghost" onClick={() => setCreating(false)}>Cancel</Button>
          </div>
        </form>
      ) : null}
      {keys.isPending ? (
        <LoadingRows rows={2} label="Loading API keys" />
      ) : keys.isError ? (
        <ErrorState message={keys.error.message} onRetry={() => void keys.refetch()} />
      ) : keys.data.length === 0 ? (
        <EmptyState title="No API keys">Create one to send events from Segment, RudderStack, Jitsu or your own backend.</EmptyState>
      ) : (
        <ul className="divide-y divide-surface-line" data-testid="api-key-list">
          {keys.data.map((k) => (
            <li key={k.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-5 py-3.5" data-testid="api-key-row">
              <div className="min-w-40 flex-1">
                <p className="text-sm font-medium text-ink">{k.name}</p>
                <p className="font-mono text-xs text-ink-muted">{k.prefix}…</p>
              </div>
              <div className="flex flex-wrap gap-1">
                {k.scopes.map((s) => <Badge key={s} tone="blue">{s}</Badge>)}
              </div>
              <p className="w-40 text-xs text-ink-muted">
                Created <TimeAgo date={k.createdAt} />
                <br />
                {k.lastUsedAt ? <>Used <TimeAgo date={k.lastUsedAt} /></> : "Never used"}
              </p>
              {k.revokedAt ? (
                <Badge tone="red">Revoked</Badge>
              ) : (
                <Button
                  variant="danger"
                  size="sm"
                  disabled={revoke.isPending}
                  onClick={() => {
                    if (window.confirm(`Revoke “${k.name}”? Anything using it will get 401 at once.`)) revoke.mutate({ id: k.id });
                  }}
                >
                  Revoke
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
