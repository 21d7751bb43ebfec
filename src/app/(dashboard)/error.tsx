"use client";

import { ErrorState } from "@/components/ui/states";

/** Anything a dashboard page throws while rendering ends here instead of a blank screen. */
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="mx-auto max-w-xl py-10">
      <ErrorState
        title="Something went wrong on this page"
        message={`Try again; if it keeps happening, the server log has the details${error.digest ? ` (reference ${error.digest})` : ""}.`}
        onRetry={reset}
      />
    </div>
  );
}
