import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Logo } from "@/components/ui/logo";
import { auth } from "@/server/auth/config";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string; signedOut?: string }> }) {
  const params = await searchParams;
  if ((await auth())?.user?.id) redirect("/journeys");
  return (
    <main className="flex min-h-screen">
      <div className="flex flex-1 flex-col justify-center px-6 py-12 sm:px-12 lg:flex-none lg:w-[480px]">
        <div className="mx-auto w-full max-w-sm">
          <Logo className="text-xl" />
          <h1 className="mt-8 text-2xl font-semibold tracking-tight text-ink">Sign in to your workspace</h1>
          <p className="mt-2 text-sm text-ink-muted">Design journeys, run them on live events, and see what they add.</p>
          {params.signedOut ? (
            <p role="status" className="mt-6 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
              You are signed out.
            </p>
          ) : null}
          <div className="mt-8">
            <SignInForm next={params.next ?? "/journeys"} />
          </div>
          <p className="mt-8 text-xs text-ink-faint">
            Demo: <span className="font-mono">admin@demo.waymark.dev</span> / <span className="font-mono">waymark-demo</span>
          </p>
        </div>
      </div>
      <aside className="relative hidden flex-1 overflow-hidden bg-brand-950 lg:block" aria-hidden>
        <JourneyIllustration />
      </aside>
    </main>
  );
}

/** A small drawn journey so the sign-in page says what the product does. */
function JourneyIllustration() {
  const node = (x: number, y: number, label: string, color: string, sub: string) => (
    <g transform={`translate(${x},${y})`}>
      <rect width="180" height="56" rx="12" fill="#fff" opacity="0.97" />
      <rect width="6" height="56" rx="3" fill={color} />
      <text x="20" y="24" fontSize="13" fontWeight="600" fill="#0f172a">{label}</text>
      <text x="20" y="42" fontSize="11" fill="#64748b">{sub}</text>
    </g>
  );
  const line = (d: string) => <path d={d} fill="none" stroke="#93b4fd" strokeWidth="2" strokeDasharray="5 5" />;
  return (
    <div className="absolute inset-0 flex flex-col items-center justify-center p-12">
      <svg viewBox="0 0 560 420" className="w-full max-w-xl">
        {line("M280 76 L280 116")}
        {line("M280 172 L280 212")}
        {line("M280 268 C 280 300, 140 290, 140 324")}
        {line("M280 268 C 280 300, 420 290, 420 324")}
        {node(190, 20, "Cart abandoned", "#059669", "Trigger · cart_abandoned")}
        {node(190, 116, "Wait 1 h", "#7c3aed", "Or until order_completed")}
        {node(190, 212, "Next best action", "#db2777", "Bandit · 2 options")}
        {node(50, 324, "Email", "#2563eb", "Your cart misses you")}
        {node(330, 324, "Push", "#2563eb", "Still thinking it over?")}
        <g transform="translate(400,120)">
          <rect width="150" height="44" rx="10" fill="#fee2e2" />
          <text x="14" y="27" fontSize="12" fontWeight="600" fill="#b91c1c">Exit on complaint</text>
        </g>
      </svg>
      <p className="mt-10 max-w-md text-center text-sm text-brand-100">
        Every journey runs in order per customer, on time, with holdouts that show what it really adds.
      </p>
    </div>
  );
}
