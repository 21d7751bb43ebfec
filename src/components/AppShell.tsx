"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import type { ReactNode } from "react";
import { pagesFor, sitePathOf, type SitePagePath, type SiteSummary } from "@/components/sites/sitePages";
import { SiteSwitcher } from "@/components/sites/SiteSwitcher";
import { BellIcon, ChartIcon, CogIcon, KeyIcon, LiveIcon, LogoutIcon, PulseIcon, UsersIcon } from "@/components/ui/icons";

const ICONS: Record<SitePagePath, typeof ChartIcon> = {
  "": ChartIcon,
  "/live": LiveIcon,
  "/alerts": BellIcon,
  "/keys": KeyIcon,
  "/settings": CogIcon,
  "/members": UsersIcon,
};

export function AppShell({
  userEmail,
  userRole,
  sites,
  children,
}: {
  userEmail: string;
  userRole: "admin" | "member";
  sites: SiteSummary[];
  children: ReactNode;
}) {
  const pathname = usePathname();
  const siteId = sitePathOf(pathname)?.siteId ?? null;
  const current = sites.find((s) => s.id === siteId) ?? null;
  const nav = current ? pagesFor(current.access) : [];
  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-indigo-600 focus:px-3 focus:py-2 focus:text-white"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-gray-800/80 bg-gray-950/85 backdrop-blur supports-[backdrop-filter]:bg-gray-950/70">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-2 px-3 sm:gap-4 sm:px-6">
          <Link
            href="/"
            className="flex shrink-0 items-center gap-2 rounded-md font-semibold tracking-tight text-gray-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
          >
            <span className="grid h-7 w-7 place-items-center rounded-md bg-indigo-500/15 text-indigo-400 ring-1 ring-inset ring-indigo-500/30">
              <PulseIcon width={16} height={16} />
            </span>
            <span className="hidden sm:inline">Pulse</span>
            <span className="sr-only sm:hidden">Pulse</span>
          </Link>
          {sites.length > 0 || userRole === "admin" ? (
            <SiteSwitcher sites={sites} current={current} isAdmin={userRole === "admin"} />
          ) : null}
          <nav aria-label="Main" className="hidden items-center gap-1 md:flex">
            {nav.map((p) => (
              <NavLink key={p.path} siteId={current!.id} path={p.path} label={p.label} pathname={pathname} />
            ))}
          </nav>
          <div className="ml-auto flex shrink-0 items-center gap-2 sm:gap-3">
            <span className="hidden max-w-[16rem] truncate text-sm text-gray-400 lg:inline" title={userEmail}>
              {userEmail}
            </span>
            <button
              type="button"
              onClick={() => void signOut({ callbackUrl: "/signin" })}
              className="flex items-center gap-1.5 rounded-md border border-gray-800 px-2.5 py-1.5 text-sm text-gray-300 hover:border-gray-700 hover:bg-gray-900 hover:text-white focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
            >
              <LogoutIcon width={16} height={16} />
              <span className="hidden sm:inline">Sign out</span>
              <span className="sr-only sm:hidden">Sign out</span>
            </button>
          </div>
        </div>
        {nav.length > 1 ? (
          // On narrow screens the site's pages get their own row, scrolling sideways if need be.
          <nav aria-label="Main" className="flex gap-0.5 overflow-x-auto border-t border-gray-800/60 px-1.5 py-1.5 md:hidden">
            {nav.map((p) => (
              <NavLink key={p.path} siteId={current!.id} path={p.path} label={p.label} pathname={pathname} compact />
            ))}
          </nav>
        ) : null}
      </header>
      <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-3 py-5 sm:px-6 sm:py-8">
        {children}
      </main>
      <footer className="mx-auto w-full max-w-7xl px-3 pb-6 text-xs text-gray-500 sm:px-6">
        Pulse Analytics
        {current ? (
          <>
            {" "}
            · dates are days in <span data-testid="footer-time-zone">{current.timeZone}</span>
          </>
        ) : null}
      </footer>
    </div>
  );
}

/** `compact`: the phone's row of site pages, without icons so that all four fit 390 px. */
function NavLink({
  siteId,
  path,
  label,
  pathname,
  compact = false,
}: {
  siteId: string;
  path: SitePagePath;
  label: string;
  pathname: string;
  compact?: boolean;
}) {
  const href = `/s/${siteId}${path}`;
  const active = path === "" ? pathname === href : pathname.startsWith(href);
  const NavIcon = ICONS[path];
  return (
    <Link
      href={href}
      aria-current={active ? "page" : undefined}
      className={`flex shrink-0 items-center gap-1.5 whitespace-nowrap rounded-md py-1.5 text-sm font-medium ${compact ? "px-2" : "px-2.5"} transition-colors focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${
        active ? "bg-gray-800/80 text-white" : "text-gray-400 hover:bg-gray-900 hover:text-gray-100"
      }`}
    >
      {compact ? null : <NavIcon width={16} height={16} />}
      {label}
    </Link>
  );
}
