import type { Metadata } from "next";
import { JourneyList } from "@/components/journeys/journey-list";
import { NewJourneyMenu } from "@/components/journeys/new-journey-menu";
import { PageHeader } from "@/components/ui/page-header";
import { currentMembership, HydrateClient, prefetch, trpc } from "@/server/api/rsc";
import { roleAllows } from "@/server/workspaces/roles";

export const metadata: Metadata = { title: "Journeys" };

export default async function JourneysPage() {
  const current = await currentMembership();
  await prefetch(trpc.journey.list.queryOptions({ includeArchived: false }));
  const canEdit = roleAllows(current.role, "marketer");
  return (
    <HydrateClient>
      <PageHeader
        title="Journeys"
        description={canEdit ? "Design, publish and follow your customer journeys." : "You have read-only access to this workspace."}
        actions={canEdit ? <NewJourneyMenu /> : null}
      />
      <JourneyList canEdit={canEdit} />
    </HydrateClient>
  );
}
