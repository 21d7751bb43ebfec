import type { ReactNode } from "react";
import { PulseIcon } from "@/components/ui/icons";

/** The centred card of the pages without a session (sign-in, invitations). */
export function AuthCard({ title, subtitle, children }: { title: ReactNode; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center bg-[radial-gradient(ellipse_at_top,_rgba(99,102,241,0.12),_transparent_55%)] px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3 text-center">
          <span className="grid h-11 w-11 place-items-center rounded-xl bg-indigo-500/15 text-indigo-400 ring-1 ring-inset ring-indigo-500/30">
            <PulseIcon width={22} height={22} />
          </span>
          <h1 className="break-words text-xl font-semibold tracking-tight text-gray-50">{title}</h1>
          {subtitle ? <p className="text-sm text-gray-400">{subtitle}</p> : null}
        </div>
        <div className="rounded-xl border border-gray-800 bg-gray-900/70 p-6 shadow-xl shadow-black/20">{children}</div>
      </div>
    </main>
  );
}
