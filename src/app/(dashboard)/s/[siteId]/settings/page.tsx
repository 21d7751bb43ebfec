import type { Metadata } from "next";
import { SettingsView } from "@/components/sites/SettingsView";
import { timeZoneNames } from "@/core/sites/timeZone";
import { requireSite } from "@/server/sitePage";

export const metadata: Metadata = { title: "Settings" };

export default async function SiteSettingsPage({ params }: { params: Promise<{ siteId: string }> }) {
  const site = await requireSite((await params).siteId, "edit");
  return <SettingsView initial={site} zones={timeZoneNames()} />;
}
