import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { SharedDashboardView } from "@/components/share/SharedDashboardView";
import { siteBySharedToken } from "@/core/db/sites";

export const metadata: Metadata = { title: "Shared dashboard" };
// The link can be turned off at any moment: never served from a cache.
export const dynamic = "force-dynamic";

export default async function SharedDashboardPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const site = await siteBySharedToken(token);
  if (!site) notFound();
  return (
    <Suspense>
      <SharedDashboardView token={token} name={site.name} timeZone={site.timeZone} />
    </Suspense>
  );
}
