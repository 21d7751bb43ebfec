/**
 * Signs in over HTTP the way the sign-in form does (NextAuth's credentials flow: CSRF token, then
 * POST /api/auth/callback/credentials with json=true), for tests and benches.
 */
function cookiesOf(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(";")[0]!);
}

export interface SignInResult {
  status: number;
  /** NextAuth's error code (`CredentialsSignin` for a wrong password, our SIGN_IN_ERROR codes), null on success. */
  error: string | null;
  /** The session cookie (`next-auth.session-token=…`) when signed in. */
  session: string | null;
  /** Where NextAuth would send the browser. */
  url: string | null;
}

export async function attemptSignIn(
  baseUrl: string,
  {
    email,
    password,
    headers = {},
    callbackUrl = baseUrl,
  }: { email: string; password: string; headers?: Record<string, string>; callbackUrl?: string },
): Promise<SignInResult> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`, { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded", cookie: cookiesOf(csrf).join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, json: "true", callbackUrl }),
  });
  const text = await res.text();
  let url: string | null = null;
  try {
    url = (JSON.parse(text) as { url?: string }).url ?? null;
  } catch {
    throw new Error(`sign-in answered HTTP ${res.status} with no JSON: ${text.slice(0, 300)}`);
  }
  const session = cookiesOf(res).find((c) => c.startsWith("next-auth.session-token=")) ?? null;
  return { status: res.status, error: url ? new URL(url).searchParams.get("error") : null, session, url };
}

/** Signs in and returns the session cookie; throws when that fails. */
export async function signInCookie(baseUrl: string, email: string, password: string): Promise<string> {
  const result = await attemptSignIn(baseUrl, { email, password });
  if (!result.session) throw new Error(`sign-in failed: HTTP ${result.status}, error ${result.error}`);
  return result.session;
}
