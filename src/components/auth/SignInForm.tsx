"use client";

import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { safeRedirectPath } from "@/core/auth/redirect";
import { signInErrorMessage } from "@/core/auth/signIn";

const inputClass =
  "mt-1.5 block w-full rounded-md border border-gray-700 bg-gray-950 px-3 py-2 text-sm text-gray-100 placeholder:text-gray-600 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/40";

export function SignInForm({
  callbackUrl,
  githubEnabled,
  initialError,
  initialEmail,
  notice,
}: {
  callbackUrl: string;
  githubEnabled: boolean;
  initialError?: string;
  /** Prefilled from ?email= (the invitation page sends people here after they set a password). */
  initialEmail?: string;
  notice?: string;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | undefined>(initialError);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    setError(undefined);
    try {
      const res = await signIn("credentials", {
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
        redirect: false,
        callbackUrl,
      });
      if (!res || res.error) {
        // Wrong password, too many attempts, unavailable and busy each have their own message.
        setError(signInErrorMessage(res?.error));
        setPending(false);
        return;
      }
      // The server already checked it; checked again here against the page's own origin, where it is followed.
      router.replace(safeRedirectPath(callbackUrl, window.location.origin));
      router.refresh();
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
      setPending(false);
    }
  }

  return (
    <div className="space-y-5">
      {notice && !error ? (
        <p role="status" className="rounded-md border border-emerald-900/50 bg-emerald-950/30 px-3 py-2 text-sm text-emerald-200">
          {notice}
        </p>
      ) : null}
      <form onSubmit={onSubmit} className="space-y-4" noValidate={false} aria-describedby={error ? "signin-error" : undefined}>
        <div>
          <label htmlFor="email" className="block text-sm font-medium text-gray-300">
            Email
          </label>
          <input
            id="email"
            name="email"
            type="email"
            autoComplete="username"
            required
            autoFocus={!initialEmail}
            defaultValue={initialEmail}
            className={inputClass}
            placeholder="admin@example.com"
          />
        </div>
        <div>
          <label htmlFor="password" className="block text-sm font-medium text-gray-300">
            Password
          </label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            autoFocus={Boolean(initialEmail)}
            className={inputClass}
          />
        </div>
        {error ? (
          <p id="signin-error" role="alert" className="rounded-md border border-red-900/60 bg-red-950/40 px-3 py-2 text-sm text-red-200">
            {error}
          </p>
        ) : null}
        <button
          type="submit"
          disabled={pending}
          className="flex w-full items-center justify-center rounded-md bg-indigo-500 px-3 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 focus-visible:ring-offset-2 focus-visible:ring-offset-gray-900 disabled:cursor-wait disabled:opacity-70"
        >
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {githubEnabled ? (
        <>
          <div className="flex items-center gap-3 text-xs text-gray-500" aria-hidden="true">
            <span className="h-px flex-1 bg-gray-800" /> or <span className="h-px flex-1 bg-gray-800" />
          </div>
          <button
            type="button"
            onClick={() => void signIn("github", { callbackUrl })}
            className="flex w-full items-center justify-center gap-2 rounded-md border border-gray-700 px-3 py-2 text-sm font-medium text-gray-200 hover:bg-gray-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
          >
            Continue with GitHub
          </button>
        </>
      ) : null}
    </div>
  );
}
