import type { Metadata } from "next";
import { MessageList } from "@/components/outbox/message-list";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Outbox" };

export default function OutboxPage() {
  return (
    <>
      <PageHeader title="Outbox" description="Every message journeys send, with its delivery status. Sandbox channels keep messages here instead of sending them." />
      <MessageList />
    </>
  );
}
