"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { memberRoles, type MemberRole } from "@/db/schema";
import { useTRPC } from "@/components/trpc/provider";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { ErrorState, LoadingRows } from "@/components/ui/states";
import { roleDescriptions } from "@/server/workspaces/roles";

function RoleSelect({ value, onChange, label, disabled }: { value: MemberRole; onChange: (r: MemberRole) => void; label: string; disabled?: boolean }) {
  return (
    <select
      aria-label={label}
      value={value}
      disabled={disabled}
      onChange={(e) => onChange(e.target.value as MemberRole)}
      className="h-8 rounded-md border border-surface-line bg-white px-2 text-sm capitalize"
    >
      {memberRoles.map((r) => (
        <option key={r} value={r}>{r}</option>
      ))}
    </select>
  );
}

export function MembersPanel({ currentUserId }: { currentUserId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.workspace.members.queryOptions());
  const invalidate = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.workspace.members.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.workspace.auditLog.queryKey() }),
    ]);
  const [adding, setAdding] = useState(false);
  const [form, setForm] = useState({ email: "", name: "", password: "", role: "marketer" as MemberRole });
  const add = useMutation(
    trpc.workspace.addMember.mutationOptions({
      onSuccess: () => {
        setAdding(false);
        setForm({ email: "", name: "", password: "", role: "marketer" });
        void invalidate();
      },
    }),
  );
  const setRole = useMutation(trpc.workspace.setMemberRole.mutationOptions({ onSettled: () => void invalidate() }));
  const remove = useMutation(trpc.workspace.removeMember.mutationOptions({ onSettled: () => void invalidate() }));
  const rowError = setRole.error ?? remove.error;
  const fieldErrors = add.error?.data?.zodError?.fieldErrors as Record<string, string[] | undefined> | undefined;

  return (
    <Card>
      <CardHeader
        title="Members"
        description="Admins manage members and keys; marketers build journeys; analysts read."
        action={!adding ? <Button onClick={() => { setAdding(true); add.reset(); }}>Add member</Button> : null}
      />
      {adding ? (
        <form
          onKeyDown={(e) => e.key === "Escape" && setAdding(false)}
          className="grid gap-4 border-b border-surface-line bg-surface-sunken/50 px-5 py-4 sm:grid-cols-2"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate({ email: form.email, name: form.name || undefined, role: form.role, password: form.password || undefined });
          }}
        >
          <Field label="Email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} autoFocus error={fieldErrors?.email?.[0]} />
          <Field label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          <Field
            label="First password"
            type="password"
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
            hint="Only for people without an account yet. 8+ characters."
            error={fieldErrors?.password?.[0]}
          />
          <div>
            <span className="block text-sm font-medium text-ink-soft">Role</span>
            <div className="mt-1">
              <RoleSelect label="Role of the new member" value={form.role} onChange={(role) => setForm({ ...form, role })} />
            </div>
            <p className="mt-1 text-xs text-ink-muted">{roleDescriptions[form.role]}</p>
          </div>
          {add.error && !fieldErrors ? <p role="alert" className="text-sm text-red-600 sm:col-span-2">{add.error.message}</p> : null}
          <div className="flex gap-2 sm:col-span-2">
            <Button type="submit" disabled={add.isPending || !form.email}>{add.isPending ? "Adding…" : "Add member"}</Button>
            <Button variant="ghost" onClick={() => setAdding(false)}>Cancel</Button>
          </div>
        </form>
      ) : null}
      {rowError ? <p role="alert" className="border-b border-surface-line bg-red-50 px-5 py-2 text-sm text-red-700">{rowError.message}</p> : null}
      {members.isPending ? (
        <LoadingRows rows={3} label="Loading members" />
      ) : members.isError ? (
        <ErrorState message={members.error.message} onRetry={() => void members.refetch()} />
      ) : (
        <ul className="divide-y divide-surface-line" data-testid="member-list">
          {members.data.map((m) => (
            <li key={m.userId} className="flex flex-wrap items-center gap-4 px-5 py-3" data-testid="member-row">
              <div className="flex h-8 w-8 items-center justify-center rounded-full bg-brand-100 text-sm font-semibold text-brand-700 uppercase" aria-hidden>
                {(m.name || m.email).slice(0, 1)}
              </div>
              <div className="min-w-40 flex-1">
                <p className="text-sm font-medium text-ink">{m.name}{m.userId === currentUserId ? <span className="text-ink-muted"> (you)</span> : null}</p>
                <p className="text-xs text-ink-muted">{m.email}</p>
              </div>
              <RoleSelect label={`Role of ${m.email}`} value={m.role} disabled={setRole.isPending} onChange={(role) => setRole.mutate({ userId: m.userId, role })} />
              <Button
                variant="ghost"
                size="sm"
                disabled={remove.isPending}
                onClick={() => {
                  if (window.confirm(`Remove ${m.email} from this workspace?`)) remove.mutate({ userId: m.userId });
                }}
              >
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
