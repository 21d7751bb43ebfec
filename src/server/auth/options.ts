import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import { BcryptBusyError } from "@/core/auth/bcryptPool";
import { safeRedirectPath } from "@/core/auth/redirect";
import { SIGN_IN_ERROR } from "@/core/auth/signIn";
import { getConfig } from "@/core/config";
import { findUserByEmail, findUserById, normalizeEmail, verifyUserPassword, type PublicUser } from "@/core/db/users";
import { clientAddressFromHeaders } from "@/core/http/clientAddress";
import { logger } from "@/core/logging/logger";
import { getSignInLimiter } from "./signInLimiter";

export const SIGN_IN_PATH = "/signin";
/** Sessions last a week; the JWT is re-issued while the dashboard is in use. */
const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

/** Thrown from the jwt callback to end a session; next-auth then clears the cookie. */
class SessionRevokedError extends Error {
  constructor(reason: string) {
    super(`session no longer valid: ${reason}`);
    this.name = "SessionRevokedError";
  }
}

/**
 * What authorize() throws to refuse a sign-in. next-auth puts the message into the URL the browser
 * gets (`?error=<message>`), so it is only ever one of the SIGN_IN_ERROR codes.
 */
class SignInRefused extends Error {
  constructor(code: (typeof SIGN_IN_ERROR)[keyof typeof SIGN_IN_ERROR]) {
    super(code);
    this.name = "SignInRefused";
  }
}

/** Longer than any address a user row can have; refused without work (and without a Redis key). */
const MAX_EMAIL_LENGTH = 320;

/**
 * The password check behind the form: limits first (charged before the check), then bcrypt in its
 * pool. Null for wrong credentials; throws SignInRefused for every other refusal.
 */
async function checkPassword(email: string, password: string, address: string): Promise<PublicUser | null> {
  const limiter = getSignInLimiter();
  const admission = await limiter.admit(email, address);
  if (!admission.ok) {
    if (admission.reason === "unavailable") throw new SignInRefused(SIGN_IN_ERROR.unavailable);
    logger.warn(
      { email, address, limit: admission.limit, retry_after_s: admission.retryAfterSeconds },
      "sign-in refused: too many attempts",
    );
    throw new SignInRefused(SIGN_IN_ERROR.tooManyAttempts);
  }
  let user: PublicUser | null;
  try {
    user = await verifyUserPassword(email, password);
  } catch (err) {
    if (err instanceof BcryptBusyError) {
      logger.warn({ email, address }, "sign-in refused: password checks are busy");
      throw new SignInRefused(SIGN_IN_ERROR.busy);
    }
    logger.error({ err, email }, "sign-in check failed");
    throw new SignInRefused(SIGN_IN_ERROR.unavailable);
  }
  if (!user) {
    logger.info({ email, address }, "sign-in failed");
    return null;
  }
  await limiter.succeeded(email, address);
  logger.info({ email, address }, "signed in");
  return user;
}

export class AuthConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuthConfigError";
  }
}

/** The signing secret from config (AUTH_SECRET / NEXTAUTH_SECRET); never sent to the browser. */
export function getAuthSecret(): string {
  const secret = getConfig().auth.secret;
  if (!secret) {
    throw new AuthConfigError(
      "AUTH_SECRET is not set: the dashboard needs a secret of at least 32 characters to sign sessions " +
        "(e.g. AUTH_SECRET=$(openssl rand -hex 32)).",
    );
  }
  return secret;
}

export function isGitHubEnabled(): boolean {
  const { github_id, github_secret } = getConfig().auth;
  return Boolean(github_id && github_secret);
}

let cached: NextAuthOptions | undefined;

/**
 * NextAuth options, built on first use (not at import) so `next build` does not need the secrets.
 * Credentials sign-in for users in the `users` table; GitHub only when AUTH_GITHUB_ID/SECRET are set,
 * and then only for GitHub accounts whose verified primary email is already a user here.
 */
export function getAuthOptions(): NextAuthOptions {
  if (cached) return cached;
  const config = getConfig();
  // next-auth v4 reads its own base URL from NEXTAUTH_URL; keep one source of truth (app.base_url).
  process.env.NEXTAUTH_URL ??= config.app.base_url;

  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials, req) {
        const email = typeof credentials?.email === "string" ? normalizeEmail(credentials.email) : "";
        const password = typeof credentials?.password === "string" ? credentials.password : "";
        if (!email || !password || email.length > MAX_EMAIL_LENGTH) return null;
        try {
          const user = await checkPassword(email, password, clientAddressFromHeaders(req.headers));
          return user ? { id: user.id, email: user.email, name: user.name ?? user.email } : null;
        } catch (err) {
          if (err instanceof SignInRefused) throw err;
          // Anything else would reach the browser as its message; log it whole, send a code.
          logger.error({ err, email }, "sign-in failed unexpectedly");
          throw new SignInRefused(SIGN_IN_ERROR.unavailable);
        }
      },
    }),
  ];
  if (config.auth.github_id && config.auth.github_secret) {
    providers.push(GitHubProvider({ clientId: config.auth.github_id, clientSecret: config.auth.github_secret }));
  }

  cached = {
    secret: getAuthSecret(),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: SIGN_IN_PATH, error: SIGN_IN_PATH },
    providers,
    callbacks: {
      // Every redirect next-auth makes (after sign-in, sign-out, OAuth) obeys the app's one rule.
      redirect({ url, baseUrl }) {
        return new URL(safeRedirectPath(url, baseUrl), baseUrl).toString();
      },
      async signIn({ user, account }) {
        if (account?.provider === "credentials") return true;
        // OAuth: only people the admin already added (same email) may get in.
        if (!user.email) return false;
        const known = await findUserByEmail(user.email);
        return known ? true : `${SIGN_IN_PATH}?error=AccessDenied`;
      },
      async jwt({ token, user }) {
        if (user?.email) {
          // Signing in: bind the token to our user row and its current password.
          const known = await findUserByEmail(user.email);
          if (!known) throw new SessionRevokedError("unknown user");
          token.sub = known.id;
          token.email = known.email;
          token.pwv = known.passwordVersion;
          token.role = known.role;
          return token;
        }
        // Every later session check: the user must still exist with the same password, so
        // `npm run admin:password` (or deleting the user) ends existing sessions.
        const current = token.sub ? await findUserById(token.sub) : null;
        if (!current || current.passwordVersion !== token.pwv) throw new SessionRevokedError("password changed or user removed");
        // Read fresh on every check, so a changed role takes effect at the next request.
        token.role = current.role;
        return token;
      },
      async session({ session, token }) {
        if (session.user) {
          session.user.email = token.email ?? session.user.email;
          session.user.id = token.sub;
          session.user.role = token.role ?? "member";
        }
        return session;
      },
    },
    logger: {
      error(code, metadata) {
        if (code === "JWT_SESSION_ERROR" && (metadata as Error | undefined)?.name === "SessionRevokedError") {
          logger.info({ reason: (metadata as Error).message }, "session ended");
          return;
        }
        // next-auth passes an Error or { error, ...details }; pino writes a stack only for `err`.
        const { error, ...details } = metadata instanceof Error ? { error: metadata } : metadata;
        logger.error({ code, err: error, ...details }, "next-auth error");
      },
      warn(code) {
        logger.warn({ code }, "next-auth warning");
      },
      debug() {},
    },
  };
  return cached;
}
