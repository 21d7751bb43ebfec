import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SitesView } from "@/components/sites/SitesView";
import { listSitesFor } from "@/core/db/sites";
import { timeZoneNames } from "@/core/sites/timeZone";
import { getServerAuthSession, SIGN_IN_PATH } from "@/server/auth";

export const metadata: Metadata = { title: "Sites" };

export default async function SitesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = (await getServerAuthSession())?.user;
  if (!user?.id) redirect(SIGN_IN_PATH);
  const isAdmin = user.role === "admin";
  const sites = await listSitesFor({ id: user.id, role: user.role ?? "member" });
  return (
    <SitesView
      sites={sites.map(({ id, name, hostnames, timeZone, access }) => ({ id, name, hostnames, timeZone, access }))}
      isAdmin={isAdmin}
      zones={isAdmin ? timeZoneNames() : []}
      focusNew={(await searchParams).new === "1"}
    />
  );
}
