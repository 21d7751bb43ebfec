import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-3 px-4 text-center">
      <p className="text-sm font-semibold text-indigo-400">404</p>
      <h1 className="text-xl font-semibold text-gray-50">This page does not exist</h1>
      <p className="text-sm text-gray-400">The link may be old, or the address mistyped.</p>
      <Link
        href="/"
        className="mt-2 rounded-md bg-indigo-500 px-3.5 py-2 text-sm font-semibold text-white hover:bg-indigo-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400"
      >
        Back to the dashboard
      </Link>
    </main>
  );
}
