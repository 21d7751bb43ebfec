import type { Metadata } from "next";
import { AlertsView } from "@/components/alerts/AlertsView";
import { allows } from "@/core/sites/access";
import { requireSite } from "@/server/sitePage";

export const metadata: Metadata = { title: "Alerts" };

/** Every member sees the rules and their history; editors manage them (docs/alerts.md). */
export default async function SiteAlertsPage({ params }: { params: Promise<{ siteId: string }> }) {
  const site = await requireSite((await params).siteId);
  return <AlertsView siteId={site.id} canEdit={allows(site.access, "edit")} />;
}
