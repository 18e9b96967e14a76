import type { Metadata } from "next";
import Link from "next/link";
import { CustomerTimeline } from "@/components/customers/customer-timeline";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Customer" };

export default async function CustomerPage({ params }: { params: Promise<{ customerId: string }> }) {
  const customerId = decodeURIComponent((await params).customerId);
  return (
    <>
      <Link href="/customers" className="text-sm text-brand-700 hover:underline">← Customers</Link>
      <PageHeader title={customerId} />
      <CustomerTimeline customerId={customerId} />
    </>
  );
}
