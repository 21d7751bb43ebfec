import type { Metadata } from "next";
import { MembersView } from "@/components/sites/MembersView";
import { requireSite } from "@/server/sitePage";

export const metadata: Metadata = { title: "Members" };

export default async function SiteMembersPage({ params }: { params: Promise<{ siteId: string }> }) {
  const site = await requireSite((await params).siteId, "administer");
  return <MembersView siteId={site.id} siteName={site.name} />;
}
