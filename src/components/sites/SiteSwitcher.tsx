"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { CheckIcon, ChevronDownIcon, PlusIcon } from "@/components/ui/icons";
import { switchHref, type SiteSummary } from "./sitePages";

const item =
  "flex w-full items-center gap-2 rounded-md px-2.5 py-2 text-left text-sm text-gray-200 hover:bg-gray-800 focus:bg-gray-800 focus:text-white focus:outline-none";

/**
 * The header's site menu (a menu button: Enter, Space or the arrow keys open it, arrows move,
 * Home/End jump, Escape closes and gives focus back to the button).
 */
export function SiteSwitcher({ sites, current, isAdmin }: { sites: SiteSummary[]; current: SiteSummary | null; isAdmin: boolean }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const focusFirst = useRef<"first" | "last">("first");

  const items = () => Array.from(menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);

  useEffect(() => {
    if (!open) return;
    const list = items();
    (focusFirst.current === "last" ? list.at(-1) : list[0])?.focus();
    const onPointer = (e: PointerEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open]);

  function openWith(where: "first" | "last") {
    focusFirst.current = where;
    setOpen(true);
  }

  function onButtonKey(e: KeyboardEvent<HTMLButtonElement>) {
    if (e.key === "ArrowDown" || e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      openWith("first");
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      openWith("last");
    }
  }

  function onMenuKey(e: KeyboardEvent<HTMLDivElement>) {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLElement);
    const move = (i: number) => list[(i + list.length) % list.length]?.focus();
    if (e.key === "ArrowDown") move(at + 1);
    else if (e.key === "ArrowUp") move(at - 1);
    else if (e.key === "Home") move(0);
    else if (e.key === "End") move(list.length - 1);
    else if (e.key === "Escape") {
      setOpen(false);
      buttonRef.current?.focus();
    } else if (e.key === "Tab") {
      setOpen(false);
      return;
    } else return;
    e.preventDefault();
  }

  const others = sites.filter((s) => s.id !== current?.id);

  return (
    <div ref={rootRef} className="relative min-w-0">
      <button
        ref={buttonRef}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={current ? `Site: ${current.name}. Switch site` : "Choose a site"}
        onClick={() => (open ? setOpen(false) : openWith("first"))}
        onKeyDown={onButtonKey}
        className="flex min-w-0 max-w-[9.5rem] items-center gap-1.5 rounded-md border border-gray-800 bg-gray-900/60 px-2.5 py-1.5 text-sm font-medium text-gray-100 hover:border-gray-700 hover:bg-gray-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 sm:max-w-[16rem]"
      >
        <span className="truncate" title={current?.name}>
          {current?.name ?? "All sites"}
        </span>
        <ChevronDownIcon width={14} height={14} className="shrink-0 text-gray-400" />
      </button>
      {open ? (
        <div
          ref={menuRef}
          id={menuId}
          role="menu"
          aria-label="Sites"
          onKeyDown={onMenuKey}
          className="absolute left-0 top-full z-40 mt-1.5 w-72 max-w-[calc(100vw-1.5rem)] rounded-lg border border-gray-800 bg-gray-900 p-1.5 shadow-xl shadow-black/40"
        >
          {current ? (
            <p className="flex items-center gap-2 px-2.5 py-1.5 text-xs text-gray-400">
              <CheckIcon width={14} height={14} className="shrink-0 text-indigo-400" />
              <span className="truncate">{current.name}</span>
            </p>
          ) : null}
          {others.length > 0 ? (
            <div className="max-h-72 overflow-y-auto" role="none">
              {others.map((s) => (
                <Link
                  key={s.id}
                  role="menuitem"
                  tabIndex={-1}
                  href={switchHref(pathname, s)}
                  onClick={() => setOpen(false)}
                  className={item}
                  title={s.name}
                >
                  <span className="w-3.5 shrink-0" aria-hidden="true" />
                  <span className="truncate">{s.name}</span>
                </Link>
              ))}
            </div>
          ) : null}
          <div role="separator" className="my-1.5 h-px bg-gray-800" />
          <Link role="menuitem" tabIndex={-1} href="/sites" onClick={() => setOpen(false)} className={item}>
            <span className="w-3.5 shrink-0" aria-hidden="true" />
            All sites
          </Link>
          {isAdmin ? (
            <Link role="menuitem" tabIndex={-1} href="/sites?new=1" onClick={() => setOpen(false)} className={`${item} text-indigo-300`}>
              <PlusIcon width={14} height={14} className="shrink-0" />
              New site
            </Link>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
