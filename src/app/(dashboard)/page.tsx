import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { EmptyState } from "@/components/ui/states";
import { listSitesFor } from "@/core/db/sites";
import { getServerAuthSession, SIGN_IN_PATH } from "@/server/auth";

export const metadata: Metadata = { title: "Dashboard" };

/** The dashboard of the user's first site; without one, what to do next. */
export default async function HomePage() {
  const user = (await getServerAuthSession())?.user;
  if (!user?.id) redirect(SIGN_IN_PATH);
  const sites = await listSitesFor({ id: user.id, role: user.role ?? "member" });
  if (sites[0]) redirect(`/s/${sites[0].id}`);
  return (
    <EmptyState
      title="No sites yet"
      action={
        user.role === "admin" ? (
          <Link href="/sites?new=1" className="rounded-md bg-indigo-500 px-3.5 py-2 text-sm font-semibold text-white hover:bg-indigo-400">
            Create a site
          </Link>
        ) : undefined
      }
    >
      {user.role === "admin" ? "Create a site to start collecting its events." : "Ask an admin to give you a role on a site."}
    </EmptyState>
  );
}
