import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppShell } from "@/components/AppShell";
import { listSitesFor } from "@/core/db/sites";
import { getServerAuthSession, SIGN_IN_PATH } from "@/server/auth";
import { TRPCReactProvider } from "@/trpc/react";

// Every page below reads the session, so none is prerendered.
export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // The authoritative check (the proxy only redirects early): no session, no page.
  const session = await getServerAuthSession();
  const user = session?.user;
  if (!user?.id) redirect(SIGN_IN_PATH);
  const role = user.role ?? "member";
  // For the header's switcher and nav; pages that change sites call router.refresh() to reload it.
  const sites = (await listSitesFor({ id: user.id, role })).map(({ id, name, access, timeZone }) => ({ id, name, access, timeZone }));
  return (
    <TRPCReactProvider>
      <AppShell userEmail={user.email ?? "admin"} userRole={role} sites={sites}>
        {children}
      </AppShell>
    </TRPCReactProvider>
  );
}
