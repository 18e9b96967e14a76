import { TRPCError } from "@trpc/server";
import { redirect } from "next/navigation";
import { AppNav } from "@/components/shell/app-nav";
import { TRPCReactProvider } from "@/components/trpc/provider";
import { EmptyState } from "@/components/ui/states";
import { getQueryClient, trpc } from "@/server/api/rsc";
import { auth } from "@/server/auth/config";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const session = await auth();
  if (!session?.user?.id) redirect("/sign-in");
  let current;
  try {
    current = await getQueryClient().fetchQuery(trpc.workspace.current.queryOptions());
  } catch (err) {
    if (err instanceof TRPCError && err.code === "UNAUTHORIZED") redirect("/sign-in");
    return (
      <main className="flex min-h-screen items-center justify-center">
        <EmptyState title="No workspace yet">
          Your account is not a member of any workspace. Ask an admin to add you, or create one with{" "}
          <code className="font-mono">npm run user:create</code>.
        </EmptyState>
      </main>
    );
  }
  return (
    <TRPCReactProvider>
      <div className="flex min-h-screen flex-col md:flex-row">
        <AppNav workspace={current.workspace.name} role={current.role} email={current.user.email} />
        <main className="min-w-0 flex-1 px-4 py-6 sm:px-8 lg:px-10">{children}</main>
      </div>
    </TRPCReactProvider>
  );
}
