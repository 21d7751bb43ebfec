import { getServerSession, type Session } from "next-auth";
import { getAuthOptions } from "./options";

export { getAuthOptions, getAuthSecret, isGitHubEnabled, SIGN_IN_PATH } from "./options";

/** The signed-in session in a server component, route handler or tRPC context; null when signed out. */
export async function getServerAuthSession(): Promise<Session | null> {
  return getServerSession(getAuthOptions());
}
