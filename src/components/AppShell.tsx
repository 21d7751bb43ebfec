"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import type { ReactNode } from "react";
import { ChartIcon, KeyIcon, LogoutIcon, PulseIcon } from "@/components/ui/icons";

const NAV = [
  { path: "", label: "Dashboard", icon: ChartIcon },
  { path: "/keys", label: "API keys", icon: KeyIcon },
] as const;

/** The site of the page shown (/s/<site id>/…), if any. */
function siteOf(pathname: string): string | null {
  return /^\/s\/([0-9a-f-]{36})(?:\/|$)/.exec(pathname)?.[1] ?? null;
}

export function AppShell({ userEmail, children }: { userEmail: string; children: ReactNode }) {
  const pathname = usePathname();
  const siteId = siteOf(pathname);
  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-indigo-600 focus:px-3 focus:py-2 focus:text-white"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-gray-800/80 bg-gray-950/85 backdrop-blur supports-[backdrop-filter]:bg-gray-950/70">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-3 px-3 sm:gap-6 sm:px-6">
          <Link
            href="/"
            className="flex items-center gap-2 rounded-md font-semibold tracking-tight text-gray-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
          >
            <span className="grid h-7 w-7 place-items-center rounded-md bg-indigo-500/15 text-indigo-400 ring-1 ring-inset ring-indigo-500/30">
              <PulseIcon width={16} height={16} />
            </span>
            <span className="hidden sm:inline">Pulse</span>
          </Link>
          <nav aria-label="Main" className="flex items-center gap-1">
            {(siteId ? NAV : []).map(({ path, label, icon: NavIcon }) => {
              const href = `/s/${siteId}${path}`;
              const active = path === "" ? pathname === href : pathname.startsWith(href);
              return (
                <Link
                  key={href}
                  href={href}
                  aria-current={active ? "page" : undefined}
                  className={`flex items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm font-medium transition-colors focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${
                    active ? "bg-gray-800/80 text-white" : "text-gray-400 hover:bg-gray-900 hover:text-gray-100"
                  }`}
                >
                  <NavIcon width={16} height={16} />
                  {label}
                </Link>
              );
            })}
          </nav>
          <div className="ml-auto flex items-center gap-2 sm:gap-3">
            <span className="hidden max-w-[16rem] truncate text-sm text-gray-400 md:inline" title={userEmail}>
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
      </header>
      <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-3 py-5 sm:px-6 sm:py-8">
        {children}
      </main>
      <footer className="mx-auto w-full max-w-7xl px-3 pb-6 text-xs text-gray-600 sm:px-6">Pulse Analytics · dates are UTC days</footer>
    </div>
  );
}
