/**
 * Who may do what with a site (docs/sites.md, "Roles"). One definition, used by the tRPC tiers
 * (src/server/api/trpc.ts), the route handlers (/api/analytics) and later the live stream.
 *   admin  (user role)  every site, user and setting;
 *   editor (site role)  reads the site and manages its keys and settings;
 *   viewer (site role)  reads the site's dashboard and live view.
 */
export type SiteAccess = "admin" | "editor" | "viewer";

export type Permission = "read" | "edit" | "administer";

const RANK: Record<SiteAccess, number> = { viewer: 1, editor: 2, admin: 3 };
const NEEDS: Record<Permission, number> = { read: 1, edit: 2, administer: 3 };

export function allows(access: SiteAccess | null, permission: Permission): boolean {
  return access !== null && RANK[access] >= NEEDS[permission];
}

/** A user's access to a site: admins have it to every site, members through their role on it. */
export function accessOf(user: { role: "admin" | "member" }, siteRole: "viewer" | "editor" | null): SiteAccess | null {
  return user.role === "admin" ? "admin" : siteRole;
}
