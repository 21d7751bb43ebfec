/**
 * A dashboard session without the sign-in form: a real user in the test's database (DATABASE_URL)
 * and the cookie NextAuth would set for them, signed with the app's AUTH_SECRET.
 */
import { encode } from "next-auth/jwt";
import { upsertUserWithPassword } from "@/core/db/users";

export async function sessionCookie(authSecret: string, email = "admin@test.pulse"): Promise<string> {
  const { user } = await upsertUserWithPassword(email, "test-password-123");
  // The fields the jwt callback in src/server/auth/options.ts checks on every request.
  const token = await encode({ token: { sub: user.id, email: user.email, pwv: user.passwordVersion }, secret: authSecret });
  return `next-auth.session-token=${token}`;
}
