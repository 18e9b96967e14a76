import type { Metadata } from "next";
import { CustomerSearch } from "@/components/customers/customer-search";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Customers" };

export default function CustomersPage() {
  return (
    <>
      <PageHeader title="Customers" description="Where each customer is in your journeys, and why they did or did not get a message." />
      <CustomerSearch />
    </>
  );
}
