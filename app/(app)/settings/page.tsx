import type { Metadata } from "next";
import { ApiKeysPanel } from "@/components/settings/api-keys-panel";
import { AuditPanel } from "@/components/settings/audit-panel";
import { ChannelsPanel } from "@/components/settings/channels-panel";
import { EventSourcesPanel } from "@/components/settings/event-sources-panel";
import { GuardrailsPanel } from "@/components/settings/guardrails-panel";
import { MembersPanel } from "@/components/settings/members-panel";
import { ScoringPanel } from "@/components/settings/scoring-panel";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/states";
import { PageHeader } from "@/components/ui/page-header";
import { currentMembership, HydrateClient, prefetch, trpc } from "@/server/api/rsc";

export const metadata: Metadata = { title: "Settings" };

const sections = [
  ["members", "Members"],
  ["api-keys", "API keys"],
  ["event-sources", "Event sources"],
  ["channels", "Channels"],
  ["guardrails", "Guardrails"],
  ["scores", "Predictive scores"],
  ["audit", "Audit log"],
] as const;

export default async function SettingsPage() {
  const current = await currentMembership();
  if (current.role !== "admin") {
    return (
      <>
        <PageHeader title="Settings" description={current.workspace.name} />
        <Card>
          <EmptyState title="Only admins manage this workspace">
            You are a {current.role}. Ask an admin to change members, API keys, event sources or channels.
          </EmptyState>
        </Card>
      </>
    );
  }
  await Promise.all([
    prefetch(trpc.workspace.members.queryOptions()),
    prefetch(trpc.workspace.apiKeys.queryOptions()),
    prefetch(trpc.workspace.auditLog.queryOptions()),
    prefetch(trpc.workspace.settings.queryOptions()),
    prefetch(trpc.workspace.scoreModels.queryOptions()),
    prefetch(trpc.workspace.channels.queryOptions()),
    prefetch(trpc.workspace.eventSources.queryOptions()),
  ]);
  return (
    <HydrateClient>
      <PageHeader title="Settings" description={`Members, API keys, event sources, channels, guardrails, predictive scores and the audit log of ${current.workspace.name}.`} />
      {/* Seven areas on one page: a way to jump to each. */}
      <nav aria-label="Settings sections" className="mb-6 flex max-w-5xl flex-wrap gap-x-4 gap-y-1 text-sm">
        {sections.map(([id, label]) => (
          <a key={id} href={`#${id}`} className="font-medium text-brand-700 hover:underline">{label}</a>
        ))}
      </nav>
      <div className="grid max-w-5xl grid-cols-1 gap-6">
        <div id="members" className="scroll-mt-6"><MembersPanel currentUserId={current.user.id} /></div>
        <div id="api-keys" className="scroll-mt-6"><ApiKeysPanel /></div>
        <div id="event-sources" className="scroll-mt-6"><EventSourcesPanel /></div>
        <div id="channels" className="scroll-mt-6"><ChannelsPanel /></div>
        <div id="guardrails" className="scroll-mt-6"><GuardrailsPanel /></div>
        <div id="scores" className="scroll-mt-6"><ScoringPanel /></div>
        <div id="audit" className="scroll-mt-6"><AuditPanel /></div>
      </div>
    </HydrateClient>
  );
}
