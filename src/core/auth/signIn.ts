/**
 * The sign-in policy's numbers and what the sign-in form says, shared by the server (limits,
 * NextAuth) and the browser (the form). No server imports here: the form's bundle includes it.
 *
 * Limits (docs/security.md says why these sizes): every attempt is counted before its password is
 * checked, in fixed windows of windowSeconds, in Redis.
 */
export const SIGN_IN_LIMITS = {
  windowSeconds: 15 * 60,
  /** Attempts per (account, client address); a successful sign-in clears this counter. */
  perAddress: 10,
  /** Attempts per account from addresses it has not signed in from lately (rotating addresses included). */
  perAccount: 10,
  /** Attempts across all accounts from such addresses (password spraying, bcrypt load). */
  global: 300,
  /** How long an address where the account signed in counts as its own (exempt from the two above). */
  knownAddressDays: 30,
} as const;

/** Codes the server puts in NextAuth's `error` (thrown from authorize); never an internal message. */
export const SIGN_IN_ERROR = {
  tooManyAttempts: "TooManyAttempts",
  unavailable: "SignInUnavailable",
  busy: "SignInBusy",
} as const;

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Wrong email or password.",
  [SIGN_IN_ERROR.tooManyAttempts]: `Too many sign-in attempts. Wait ${SIGN_IN_LIMITS.windowSeconds / 60} minutes and try again.`,
  [SIGN_IN_ERROR.unavailable]: "Sign-in is temporarily unavailable. Try again in a minute.",
  [SIGN_IN_ERROR.busy]: "The server is busy checking other sign-ins. Try again in a few seconds.",
  AccessDenied: "That account is not allowed to use this dashboard. Ask the admin to add your email.",
  SessionRequired: "Please sign in to continue.",
  Configuration: "The server's sign-in configuration is incomplete. See the server log.",
};

/** What the sign-in page shows for an error code from NextAuth or from our authorize(). */
export function signInErrorMessage(code: string | null | undefined): string {
  return (code && MESSAGES[code]) || "Sign-in failed. Please try again.";
}
