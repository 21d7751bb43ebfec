import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/core/config";

const SIGN_IN_PATH = "/signin";
/** Pages for visitors without a session: sign-in, a site's shared dashboard, setting a password through an invitation. */
const PUBLIC_PAGE = /^\/(?:signin$|share\/|invite\/)/;

/**
 * Sends signed-out visitors of any page to the sign-in page, keeping where they wanted to go.
 * This is the convenience layer; the (dashboard) layout and every tRPC procedure check the session
 * again on the server, so nothing depends on this file for security.
 */
export async function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  const config = getConfig();
  const secret = config.auth.secret;
  // Without a secret no session can exist; the pages show the configuration error themselves.
  if (!secret) return NextResponse.next();
  const token = await getToken({ req: request, secret, secureCookie: config.app.base_url.startsWith("https://") });
  if (!token && !PUBLIC_PAGE.test(pathname)) {
    const url = request.nextUrl.clone();
    url.pathname = SIGN_IN_PATH;
    url.search = "";
    if (pathname !== "/" || search) url.searchParams.set("callbackUrl", `${pathname}${search}`);
    return NextResponse.redirect(url);
  }
  const res = NextResponse.next();
  // The dashboard is never framed (clickjacking) and leaks no URLs (dates, paths) to other sites.
  res.headers.set("X-Frame-Options", "DENY");
  res.headers.set("Content-Security-Policy", "frame-ancestors 'none'");
  res.headers.set("Referrer-Policy", "same-origin");
  res.headers.set("X-Content-Type-Options", "nosniff");
  // No "signed in, so skip the sign-in page" redirect here: a token can be well signed yet no longer
  // valid (password changed, user removed), which only the server-side session check knows. The
  // sign-in page does that check itself; redirecting here on the token alone would loop.
  return res;
}

export const config = {
  // Pages only: API routes answer 401 themselves, static files must load on the sign-in page, and
  // /pulse.js, the browser tracker, is loaded by other sites' pages whose visitors never sign in.
  matcher: ["/((?!api/|_next/|pulse\\.js$|favicon\\.ico|robots\\.txt|.*\\.(?:png|svg|ico|jpg|jpeg|webp|txt|webmanifest)$).*)"],
};
