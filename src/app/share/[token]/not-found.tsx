import { PulseIcon } from "@/components/ui/icons";

/** A shared link that was turned off (or never existed): said plainly, with no way into the signed-in app. */
export default function SharedNotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-3 px-4 text-center">
      <span className="grid h-10 w-10 place-items-center rounded-xl bg-indigo-500/15 text-indigo-400 ring-1 ring-inset ring-indigo-500/30">
        <PulseIcon width={20} height={20} />
      </span>
      <p className="text-sm font-semibold text-indigo-400">404</p>
      <h1 className="text-xl font-semibold text-gray-50">This shared dashboard is not available</h1>
      <p className="max-w-sm text-sm text-gray-400">The link may be mistyped, or its owner turned it off. Ask them for the current link.</p>
    </main>
  );
}
