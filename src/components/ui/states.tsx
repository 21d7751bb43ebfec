import type { ReactNode } from "react";

/** Grey placeholder block shown while data loads (announced to screen readers by the surrounding aria-busy). */
export function Skeleton({ className = "" }: { className?: string }) {
  return <div aria-hidden="true" className={`animate-pulse rounded-md bg-gray-800/70 ${className}`} />;
}

export function EmptyState({
  title,
  children,
  action,
  icon,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  icon?: ReactNode;
}) {
  return (
    <div className="flex flex-col items-center justify-center gap-2 rounded-lg border border-dashed border-gray-800 px-6 py-10 text-center">
      {icon ? <div className="text-gray-500">{icon}</div> : null}
      <p className="text-sm font-medium text-gray-200">{title}</p>
      {children ? <div className="max-w-md text-sm text-gray-400">{children}</div> : null}
      {action ? <div className="mt-2">{action}</div> : null}
    </div>
  );
}

export function ErrorState({ title, message, onRetry }: { title: string; message?: string; onRetry?: () => void }) {
  return (
    <div role="alert" className="flex flex-col items-start gap-2 rounded-lg border border-red-900/60 bg-red-950/30 px-4 py-3 text-sm">
      <p className="font-medium text-red-200">{title}</p>
      {message ? <p className="text-red-300/90">{message}</p> : null}
      {onRetry ? (
        <button
          type="button"
          onClick={onRetry}
          className="mt-1 rounded-md border border-red-800 px-2.5 py-1 text-xs font-medium text-red-100 hover:bg-red-900/40 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500"
        >
          Try again
        </button>
      ) : null}
    </div>
  );
}
