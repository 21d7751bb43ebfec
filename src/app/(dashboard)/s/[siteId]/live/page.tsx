import type { Metadata } from "next";
import { LiveView } from "@/components/live/LiveView";
import { requireSite } from "@/server/sitePage";

export const metadata: Metadata = { title: "Live" };

export default async function SiteLivePage({ params }: { params: Promise<{ siteId: string }> }) {
  const site = await requireSite((await params).siteId);
  return <LiveView siteId={site.id} timeZone={site.timeZone} />;
}
