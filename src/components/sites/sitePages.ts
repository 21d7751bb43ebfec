import { allows, type Permission, type SiteAccess } from "@/core/sites/access";

/** What the header knows of each of the user's sites (loaded by src/app/(dashboard)/layout.tsx). */
export interface SiteSummary {
  id: string;
  name: string;
  access: SiteAccess;
  timeZone: string;
}

/** The pages of one site, with what each needs; the same permissions their pages pass to requireSite (src/server/sitePage.ts). */
export const SITE_PAGES = [
  { path: "", label: "Dashboard", needs: "read" },
  { path: "/live", label: "Live", needs: "read" },
  { path: "/alerts", label: "Alerts", needs: "read" },
  { path: "/keys", label: "API keys", needs: "edit" },
  { path: "/settings", label: "Settings", needs: "edit" },
  { path: "/members", label: "Members", needs: "administer" },
] as const satisfies readonly { path: string; label: string; needs: Permission }[];

export type SitePagePath = (typeof SITE_PAGES)[number]["path"];

/** The site and sub-page of a path like /s/<site id>/keys, or null outside a site. */
export function sitePathOf(pathname: string): { siteId: string; page: SitePagePath } | null {
  const match = /^\/s\/([0-9a-f-]{36})(\/[a-z-]+)?(?:\/|$)/i.exec(pathname);
  if (!match) return null;
  const page = SITE_PAGES.find((p) => p.path === (match[2] ?? ""))?.path ?? "";
  return { siteId: match[1]!, page };
}

/** The pages of a site the user may open. */
export function pagesFor(access: SiteAccess) {
  return SITE_PAGES.filter((p) => allows(access, p.needs));
}

/**
 * Where the switcher takes the user for another site: the same sub-page when they may see it
 * there (an editor of one site may be a viewer of the next), else that site's dashboard.
 */
export function switchHref(pathname: string, target: { id: string; access: SiteAccess }): string {
  const page = sitePathOf(pathname)?.page ?? "";
  const needs = SITE_PAGES.find((p) => p.path === page)!.needs;
  return `/s/${target.id}${allows(target.access, needs) ? page : ""}`;
}
