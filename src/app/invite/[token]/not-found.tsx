import Link from "next/link";
import { AuthCard } from "@/components/auth/AuthCard";

/** An invitation that was used, has expired or never existed. */
export default function InviteNotFound() {
  return (
    <AuthCard title="This link is not valid any more">
      <p className="text-sm text-gray-300">
        Invitation links work once and for 7 days. Ask the admin who invited you for a new one. If you already set your password, sign in
        with it.
      </p>
      <Link
        href="/signin"
        className="mt-4 flex w-full items-center justify-center rounded-md border border-gray-700 px-3 py-2 text-sm font-medium text-gray-200 hover:bg-gray-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
      >
        Go to sign-in
      </Link>
    </AuthCard>
  );
}
