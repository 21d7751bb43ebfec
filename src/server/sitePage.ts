import { notFound, redirect } from "next/navigation";
import { siteForUser, type SiteWithAccess } from "@/core/db/sites";
import { allows, type Permission } from "@/core/sites/access";
import { getServerAuthSession, SIGN_IN_PATH } from "@/server/auth";

/**
 * The site of a page under /s/[siteId], checked with the same rule as the tRPC site tier
 * (src/core/sites/access.ts): a site the user may not see is a 404, like one that does not exist;
 * a page that needs more than the user's role on a site they can see is a 404 as well.
 */
export async function requireSite(siteId: string, permission: Permission = "read"): Promise<SiteWithAccess> {
  const session = await getServerAuthSession();
  const user = session?.user;
  if (!user?.id) redirect(SIGN_IN_PATH);
  const site = /^[0-9a-f-]{36}$/i.test(siteId) ? await siteForUser({ id: user.id, role: user.role ?? "member" }, siteId) : null;
  if (!site || !allows(site.access, permission)) notFound();
  return site;
}
