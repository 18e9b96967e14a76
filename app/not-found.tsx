import Link from "next/link";
import { Logo } from "@/components/ui/logo";

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-4 text-center">
      <Logo />
      <h1 className="text-xl font-semibold">Page not found</h1>
      <Link href="/journeys" className="text-sm font-medium text-brand-700 hover:underline">
        Back to journeys
      </Link>
    </main>
  );
}
