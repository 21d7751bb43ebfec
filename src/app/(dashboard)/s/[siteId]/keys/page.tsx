import type { Metadata } from "next";
import { ApiKeysView } from "@/components/api-keys/ApiKeysView";
import { requireSite } from "@/server/sitePage";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage({ params }: { params: Promise<{ siteId: string }> }) {
  const site = await requireSite((await params).siteId, "edit");
  return <ApiKeysView siteId={site.id} />;
}
