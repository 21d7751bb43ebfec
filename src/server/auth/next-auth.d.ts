import type { DefaultSession } from "next-auth";

declare module "next-auth" {
  interface Session {
    user: { id?: string; role?: "admin" | "member" } & DefaultSession["user"];
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    /** Password version at sign-in (see passwordVersion in src/core/db/users.ts). */
    pwv?: string;
    /** admin or member (src/core/sites/access.ts), read from the users table on every session check. */
    role?: "admin" | "member";
  }
}
