"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { inputClass, labelClass, primaryButton } from "@/components/ui/styles";
import { api } from "@/trpc/react";

/** Sets the invited person's password (invite.redeem), then sends them to sign in with it. */
export function SetPasswordForm({ token, email, minLength }: { token: string; email: string; minLength: number }) {
  const router = useRouter();
  const [problem, setProblem] = useState<string | null>(null);
  const redeem = api.invite.redeem.useMutation({
    onSuccess: (res) => router.replace(`/signin?email=${encodeURIComponent(res.email)}&notice=password-set`),
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get("password") ?? "");
    const repeat = String(form.get("repeat") ?? "");
    const local =
      password.length < minLength ? `Use at least ${minLength} characters.` : password !== repeat ? "The two passwords differ." : null;
    setProblem(local);
    if (!local) redeem.mutate({ token, password });
  }

  const error = problem ?? redeem.error?.message ?? null;
  return (
    <form onSubmit={submit} className="space-y-4" aria-describedby={error ? "set-password-error" : undefined}>
      {/* For password managers: the account the new password belongs to. */}
      <input type="email" name="email" autoComplete="username" value={email} readOnly hidden />
      <div>
        <label htmlFor="new-password" className={labelClass}>
          New password
        </label>
        <input
          id="new-password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={minLength}
          autoFocus
          className={inputClass}
        />
        <p className="mt-1 text-xs text-gray-500">At least {minLength} characters.</p>
      </div>
      <div>
        <label htmlFor="repeat-password" className={labelClass}>
          Repeat the password
        </label>
        <input id="repeat-password" name="repeat" type="password" autoComplete="new-password" required className={inputClass} />
      </div>
      {error ? (
        <p
          id="set-password-error"
          role="alert"
          className="rounded-md border border-red-900/60 bg-red-950/40 px-3 py-2 text-sm text-red-200"
        >
          {error}
        </p>
      ) : null}
      <button type="submit" className={`${primaryButton} w-full`} disabled={redeem.isPending || redeem.isSuccess}>
        {redeem.isPending || redeem.isSuccess ? "Setting the password…" : "Set password"}
      </button>
    </form>
  );
}
