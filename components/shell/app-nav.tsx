"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { MemberRole } from "@/db/schema";
import { Logo } from "@/components/ui/logo";
import { signOutAction } from "./sign-out";

type Item = { href: string; label: string; icon: React.ReactNode; adminOnly?: boolean };

const icon = (d: string) => (
  <svg viewBox="0 0 24 24" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden>
    <path d={d} />
  </svg>
);

const items: Item[] = [
  { href: "/journeys", label: "Journeys", icon: icon("M4 6h4v4H4zM16 14h4v4h-4zM8 8h4a2 2 0 0 1 2 2v4a2 2 0 0 0 2 2") },
  { href: "/customers", label: "Customers", icon: icon("M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM22 21v-2a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8") },
  { href: "/incrementality", label: "Incrementality", icon: icon("M3 20h18M6 16V10M11 16V6M16 16v-4M21 4l-5 5-4-3-6 6") },
  { href: "/ops", label: "Operations", icon: icon("M3 12h4l3 8 4-16 3 8h4") },
  { href: "/outbox", label: "Outbox", icon: icon("M22 12h-6l-2 3h-4l-2-3H2M5.5 5.1 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.5-6.9A2 2 0 0 0 16.8 4H7.2a2 2 0 0 0-1.7 1.1z") },
  { href: "/settings", label: "Settings", icon: icon("M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z") },
];

const roleLabel = { admin: "Admin", marketer: "Marketer", analyst: "Analyst" } as const satisfies Record<MemberRole, string>;

export function AppNav({ workspace, role, email }: { workspace: string; role: MemberRole; email: string }) {
  const pathname = usePathname();
  return (
    <aside className="flex w-full shrink-0 flex-col border-b border-surface-line bg-white md:h-screen md:w-60 md:border-r md:border-b-0 md:sticky md:top-0">
      <div className="flex items-center justify-between px-5 py-4">
        <Logo />
      </div>
      <div className="mx-3 mb-3 rounded-lg bg-surface-sunken px-3 py-2">
        <p className="text-xs text-ink-muted">Workspace</p>
        <p className="truncate text-sm font-medium text-ink" data-testid="workspace-name">
          {workspace}
        </p>
      </div>
      <nav aria-label="Main" className="flex flex-wrap gap-1 px-3 md:flex-col md:flex-nowrap">
        {items.map((item) => {
          const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
          return (
            <Link
              key={item.href}
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={`flex items-center gap-2.5 rounded-md px-3 py-2 text-sm font-medium ${
                active ? "bg-brand-50 text-brand-700" : "text-ink-soft hover:bg-surface-sunken hover:text-ink"
              }`}
            >
              {item.icon}
              {item.label}
            </Link>
          );
        })}
      </nav>
      <div className="mt-auto hidden border-t border-surface-line p-4 md:block">
        <p className="truncate text-sm font-medium text-ink" title={email}>
          {email}
        </p>
        <p className="text-xs text-ink-muted" data-testid="current-role">
          {roleLabel[role]}
        </p>
        <form action={signOutAction} className="mt-3">
          <button type="submit" className="text-sm font-medium text-ink-soft hover:text-ink">
            Sign out
          </button>
        </form>
      </div>
      <form action={signOutAction} className="px-5 pb-3 md:hidden">
        <button type="submit" className="text-sm font-medium text-ink-soft">
          Sign out ({email})
        </button>
      </form>
    </aside>
  );
}
