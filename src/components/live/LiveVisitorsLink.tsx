"use client";

import Link from "next/link";
import { formatInteger } from "@/components/format";
import { useLiveStream } from "./useLiveStream";

/** "● 3 visitors now" on the dashboard, pushed by the same stream as the Live page; a link to it. */
export function LiveVisitorsLink({ siteId }: { siteId: string }) {
  const { status, snapshot } = useLiveStream(siteId, { withFeed: false });
  const visitors = snapshot?.visitors;
  return (
    <Link
      href={`/s/${siteId}/live`}
      data-testid="live-visitors-link"
      className="inline-flex items-center gap-1.5 rounded text-gray-300 hover:text-white focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
    >
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${status === "live" ? "animate-pulse bg-emerald-400" : "bg-gray-500"}`} />
      {visitors === undefined ? "Live view" : `${formatInteger(visitors)} ${visitors === 1 ? "visitor" : "visitors"} now`}
    </Link>
  );
}
