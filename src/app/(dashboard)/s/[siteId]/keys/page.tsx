import type { Metadata } from "next";
import { ApiKeysView } from "@/components/api-keys/ApiKeysView";
import { requireSite } from "@/server/sitePage";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage({
  params,
  searchParams,
}: {
  params: Promise<{ siteId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const site = await requireSite((await params).siteId, "edit");
  // ?created=1: the new-site form sent the admin here, so the page says what comes next.
  const created = (await searchParams).created === "1";
  return <ApiKeysView siteId={site.id} siteName={site.name} hostnames={site.hostnames} justCreated={created} />;
}
