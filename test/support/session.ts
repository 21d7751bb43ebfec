/**
 * A dashboard session without the sign-in form: a real user in the test's database (DATABASE_URL)
 * and the cookie NextAuth would set for them, signed with the app's AUTH_SECRET.
 */
import { encode } from "next-auth/jwt";
import { getPrisma } from "@/core/db/client";
import { hashPassword, passwordVersion, upsertUserWithPassword } from "@/core/db/users";

async function cookieFor(authSecret: string, user: { id: string; email: string; passwordVersion: string }): Promise<string> {
  // The fields the jwt callback in src/server/auth/options.ts checks on every request.
  const token = await encode({ token: { sub: user.id, email: user.email, pwv: user.passwordVersion }, secret: authSecret });
  return `next-auth.session-token=${token}`;
}

/** An admin's session (admins see every site). */
export async function sessionCookie(authSecret: string, email = "admin@test.pulse"): Promise<string> {
  const { user } = await upsertUserWithPassword(email, "test-password-123");
  return cookieFor(authSecret, user);
}

export interface TestMember {
  id: string;
  email: string;
  cookie: string;
}

/** A member (not an admin) with the given roles on sites, and their session cookie. */
export async function memberSession(
  authSecret: string,
  email: string,
  roles: Array<{ siteId: string; role: "viewer" | "editor" }>,
): Promise<TestMember> {
  const passwordHash = await hashPassword("member-password-123");
  const user = await getPrisma().user.create({
    data: { email, role: "member", passwordHash, sites: { create: roles.map((r) => ({ siteId: r.siteId, role: r.role })) } },
  });
  return { id: user.id, email, cookie: await cookieFor(authSecret, { ...user, passwordVersion: passwordVersion(passwordHash) }) };
}
