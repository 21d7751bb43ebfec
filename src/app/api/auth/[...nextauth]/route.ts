import NextAuth from "next-auth";
import { getAuthOptions } from "@/server/auth";

export const dynamic = "force-dynamic";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

// Options are built per request (cached after the first), not at import, so `next build` needs no secrets.
async function handler(req: Request, context: RouteContext): Promise<Response> {
  return NextAuth(getAuthOptions())(req, context) as Promise<Response>;
}

export { handler as GET, handler as POST };
