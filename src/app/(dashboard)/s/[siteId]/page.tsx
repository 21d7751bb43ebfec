import type { Metadata } from "next";
import { Suspense } from "react";
import { DashboardView } from "@/components/dashboard/DashboardView";
import { allows } from "@/core/sites/access";
import { requireSite } from "@/server/sitePage";

export const metadata: Metadata = { title: "Dashboard" };

export default async function SiteDashboardPage({ params }: { params: Promise<{ siteId: string }> }) {
  const site = await requireSite((await params).siteId);
  return (
    <Suspense>
      <DashboardView siteId={site.id} timeZone={site.timeZone} canEdit={allows(site.access, "edit")} />
    </Suspense>
  );
}
