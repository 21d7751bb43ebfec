import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/SignInForm";
import { PulseIcon } from "@/components/ui/icons";
import { safeRedirectPath } from "@/core/auth/redirect";
import { signInErrorMessage } from "@/core/auth/signIn";
import { getConfig } from "@/core/config";
import { getServerAuthSession, isGitHubEnabled } from "@/server/auth";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const config = getConfig();
  // Same-origin only, so a crafted link cannot send someone elsewhere after sign-in.
  const callbackUrl = safeRedirectPath(params.callbackUrl, config.app.base_url);
  const configured = Boolean(config.auth.secret);
  if (configured && (await getServerAuthSession())) redirect(callbackUrl);
  const errorCode = typeof params.error === "string" ? params.error : undefined;
  const initialError = errorCode ? signInErrorMessage(errorCode) : undefined;
  // Only something shaped like an address is put back into the form.
  const initialEmail =
    typeof params.email === "string" && params.email.length <= 320 && params.email.includes("@") ? params.email : undefined;
  const notice = params.notice === "password-set" ? "Password set. Sign in with it now." : undefined;

  return (
    <main className="flex min-h-screen items-center justify-center bg-[radial-gradient(ellipse_at_top,_rgba(99,102,241,0.12),_transparent_55%)] px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3 text-center">
          <span className="grid h-11 w-11 place-items-center rounded-xl bg-indigo-500/15 text-indigo-400 ring-1 ring-inset ring-indigo-500/30">
            <PulseIcon width={22} height={22} />
          </span>
          <h1 className="text-xl font-semibold tracking-tight text-gray-50">Sign in to Pulse</h1>
          <p className="text-sm text-gray-400">Event analytics for your sites and apps</p>
        </div>
        <div className="rounded-xl border border-gray-800 bg-gray-900/70 p-6 shadow-xl shadow-black/20">
          {configured ? (
            <SignInForm
              callbackUrl={callbackUrl}
              githubEnabled={isGitHubEnabled()}
              initialError={initialError}
              initialEmail={initialEmail}
              notice={notice}
            />
          ) : (
            <div role="alert" className="text-sm text-amber-200">
              <p className="font-medium">Sign-in is not configured.</p>
              <p className="mt-2 text-amber-200/80">
                Set <code className="rounded bg-gray-800 px-1">AUTH_SECRET</code> (at least 32 characters, e.g.{" "}
                <code className="rounded bg-gray-800 px-1">openssl rand -hex 32</code>) and restart the app.
              </p>
            </div>
          )}
        </div>
        <p className="mt-6 text-center text-xs text-gray-500">
          Forgot the password? Run <code className="rounded bg-gray-900 px-1 text-gray-400">npm run admin:password</code> on the server.
        </p>
      </div>
    </main>
  );
}
