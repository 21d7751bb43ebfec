import type { DefaultSession } from "next-auth";

declare module "next-auth" {
  interface Session {
    user: { id?: string } & DefaultSession["user"];
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    /** Password version at sign-in (see passwordVersion in src/core/db/users.ts). */
    pwv?: string;
  }
}
