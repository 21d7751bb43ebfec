import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppShell } from "@/components/AppShell";
import { getServerAuthSession, SIGN_IN_PATH } from "@/server/auth";
import { TRPCReactProvider } from "@/trpc/react";

// Every page below reads the session, so none is prerendered.
export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // The authoritative check (the proxy only redirects early): no session, no page.
  const session = await getServerAuthSession();
  if (!session?.user) redirect(SIGN_IN_PATH);
  return (
    <TRPCReactProvider>
      <AppShell userEmail={session.user.email ?? "admin"}>{children}</AppShell>
    </TRPCReactProvider>
  );
}
