"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { ErrorState, LoadingRows } from "@/components/ui/states";
import { TimeAgo } from "@/components/ui/time-ago";

type Provider = "log" | "webhook" | "smtp";
type Summary = { channel: string; config: Record<string, unknown>; secretsSet: string[]; updatedAt: Date | null; error: string | null };

const channelLabels: Record<string, string> = { email: "Email", sms: "SMS", push: "Push", in_app: "In-app", webhook: "Webhook" };
const providerLabels: Record<Provider, string> = { log: "Sandbox", webhook: "Webhook", smtp: "SMTP" };

function describe(s: Summary): string {
  const c = s.config;
  if (c.provider === "webhook") return `POST to ${String(c.url)}`;
  if (c.provider === "smtp") return `${String(c.host)}:${String(c.port)} as ${String(c.from)}`;
  return "Nothing leaves Waymark: messages are shown on the Outbox page";
}

/** Settings → Channels: how each message channel is delivered. Secrets go in, never come back out. */
export function ChannelsPanel() {
  const trpc = useTRPC();
  const channels = useQuery(trpc.workspace.channels.queryOptions());
  const [editing, setEditing] = useState<string | null>(null);
  const [tests, setTests] = useState<Record<string, { ok: boolean; text: string } | "pending">>({});
  const test = useMutation(trpc.workspace.testChannel.mutationOptions());

  const runTest = (channel: string) => {
    setTests((t) => ({ ...t, [channel]: "pending" }));
    test.mutate(
      { channel: channel as "email" },
      {
        onSuccess: (r) => setTests((t) => ({ ...t, [channel]: r.ok ? { ok: true, text: `Test sent: ${r.detail}` } : { ok: false, text: `Test failed: ${r.error}` } })),
        onError: (e) => setTests((t) => ({ ...t, [channel]: { ok: false, text: `Test failed: ${e.message}` } })),
      },
    );
  };

  return (
    <Card>
      <CardHeader
        title="Channels"
        description="How each channel delivers. The sandbox keeps messages on the Outbox page; a webhook POSTs signed JSON to your gateway (SMS, push, in-app); SMTP sends email. Secrets are encrypted at rest and never shown again. “Send test” sends one message now (an email goes to your own address)."
      />
      {channels.isPending ? (
        <LoadingRows rows={5} label="Loading channels" />
      ) : channels.isError ? (
        <ErrorState message={channels.error.message} onRetry={() => void channels.refetch()} />
      ) : (
        <ul className="divide-y divide-surface-line" data-testid="channel-list">
          {channels.data.map((s) => {
            const result = tests[s.channel];
            return (
              <li key={s.channel} className="px-5 py-3.5" data-testid={`channel-${s.channel}`}>
                <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
                  <div className="min-w-48 flex-1">
                    <p className="flex items-center gap-2 text-sm font-medium text-ink">
                      {channelLabels[s.channel] ?? s.channel}
                      <Badge tone={s.config.provider === "log" ? "gray" : "blue"}>{providerLabels[s.config.provider as Provider] ?? String(s.config.provider)}</Badge>
                      {s.error ? <Badge tone="red">Needs attention</Badge> : null}
                    </p>
                    <p className="truncate text-xs text-ink-muted">{describe(s)}</p>
                    {s.updatedAt ? (
                      <p className="text-xs text-ink-faint">
                        Changed <TimeAgo date={s.updatedAt} />
                      </p>
                    ) : null}
                  </div>
                  <Button variant="secondary" size="sm" disabled={result === "pending"} onClick={() => runTest(s.channel)}>
                    {result === "pending" ? "Sending…" : "Send test"}
                  </Button>
                  <Button variant="ghost" size="sm" onClick={() => setEditing(editing === s.channel ? null : s.channel)} aria-expanded={editing === s.channel}>
                    {editing === s.channel ? "Close" : "Configure"}
                  </Button>
                </div>
                {s.error ? <p className="mt-2 text-xs text-red-600">{s.error}</p> : null}
                {result && result !== "pending" ? (
                  <p role="status" className={`mt-2 text-xs ${result.ok ? "text-emerald-700" : "text-red-600"}`}>
                    {result.text}
                  </p>
                ) : null}
                {editing === s.channel ? <ChannelForm summary={s} onDone={() => setEditing(null)} /> : null}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}

function ChannelForm({ summary, onDone }: { summary: Summary; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const c = summary.config;
  const [provider, setProvider] = useState<Provider>((c.provider as Provider) ?? "log");
  const [url, setUrl] = useState(typeof c.url === "string" ? c.url : "");
  const [secret, setSecret] = useState("");
  const [timeoutMs, setTimeoutMs] = useState(String(c.timeoutMs ?? 5000));
  const [host, setHost] = useState(typeof c.host === "string" ? c.host : "");
  const [port, setPort] = useState(String(c.port ?? 587));
  const [secure, setSecure] = useState(c.secure === true);
  const [requireTls, setRequireTls] = useState(c.requireTls === true);
  const [user, setUser] = useState(typeof c.user === "string" ? c.user : "");
  const [pass, setPass] = useState("");
  const [from, setFrom] = useState(typeof c.from === "string" ? c.from : "");
  const save = useMutation(
    trpc.workspace.saveChannel.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.workspace.channels.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.workspace.auditLog.queryKey() });
        onDone();
      },
    }),
  );
  const secretSaved = (field: string) => summary.config.provider === provider && summary.secretsSet.includes(field);
  const fieldErrors = save.error?.data?.zodError?.fieldErrors as Record<string, string[] | undefined> | undefined;
  const saveError = save.error ? (fieldErrors ? Object.values(fieldErrors).flat()[0] ?? "Check the fields above." : save.error.message) : null;
  const providers: Provider[] = summary.channel === "email" ? ["log", "webhook", "smtp"] : ["log", "webhook"];

  const submit = () => {
    const channel = summary.channel as "email";
    if (provider === "log") save.mutate({ channel, config: { provider } });
    else if (provider === "webhook") save.mutate({ channel, config: { provider, url: url.trim(), secret, timeoutMs: Number(timeoutMs) } });
    else save.mutate({ channel, config: { provider, host: host.trim(), port: Number(port), secure, requireTls, user: user.trim() || undefined, pass: pass || undefined, from: from.trim() } });
  };

  return (
    <form
      onKeyDown={(e) => e.key === "Escape" && onDone()}
      className="mt-3 space-y-4 rounded-lg border border-surface-line bg-surface-sunken/50 p-4"
      aria-label={`${channelLabels[summary.channel] ?? summary.channel} settings`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <fieldset>
        <legend className="text-sm font-medium text-ink-soft">Delivered by</legend>
        <div className="mt-2 flex flex-wrap gap-4">
          {providers.map((p) => (
            <label key={p} className="flex items-center gap-2 text-sm">
              <input type="radio" name={`provider-${summary.channel}`} className="h-4 w-4 text-brand-600" checked={provider === p} onChange={() => setProvider(p)} />
              {p === "log" ? "Sandbox (Outbox page)" : p === "webhook" ? "Webhook (your gateway)" : "SMTP server"}
            </label>
          ))}
        </div>
      </fieldset>
      {provider === "webhook" ? (
        <div className="grid gap-4 sm:grid-cols-2">
          <Field className="sm:col-span-2" label="URL" type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://gateway.example.com/waymark" required />
          <Field
            label="Signing secret"
            type="password"
            autoComplete="new-password"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            placeholder={secretSaved("secret") ? "Saved: leave blank to keep" : "At least 8 characters"}
            hint="Each request carries X-Waymark-Signature, an HMAC of its body with this secret."
          />
          <Field label="Timeout (ms)" type="number" min={100} max={30000} value={timeoutMs} onChange={(e) => setTimeoutMs(e.target.value)} />
        </div>
      ) : provider === "smtp" ? (
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="Host" value={host} onChange={(e) => setHost(e.target.value)} placeholder="smtp.example.com" required />
          <Field label="Port" type="number" min={1} max={65535} value={port} onChange={(e) => setPort(e.target.value)} />
          <Field label="User" value={user} onChange={(e) => setUser(e.target.value)} autoComplete="off" />
          <Field label="Password" type="password" autoComplete="new-password" value={pass} onChange={(e) => setPass(e.target.value)} placeholder={secretSaved("pass") ? "Saved: leave blank to keep" : ""} />
          <Field className="sm:col-span-2" label="From" value={from} onChange={(e) => setFrom(e.target.value)} placeholder="Demo Store <hello@example.com>" required />
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" className="h-4 w-4 rounded" checked={secure} onChange={(e) => setSecure(e.target.checked)} /> TLS from the start (port 465)
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" className="h-4 w-4 rounded" checked={requireTls} onChange={(e) => setRequireTls(e.target.checked)} /> Require STARTTLS
          </label>
        </div>
      ) : (
        <p className="text-sm text-ink-muted">Messages on this channel are kept on the Outbox page and never leave Waymark: safe for trying journeys out.</p>
      )}
      {saveError ? (
        <p role="alert" className="text-sm text-red-600">
          {saveError}
        </p>
      ) : null}
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save"}
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
