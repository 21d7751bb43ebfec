/**
 * `npm run admin:password [-- --email you@example.com --password '…']`
 * Changes the password of an existing dashboard user. Sessions already signed in stay valid until
 * they expire (7 days); rotate AUTH_SECRET to sign everyone out at once.
 */
import { getConfig } from "../src/core/config";
import { getPrisma } from "../src/core/db/client";
import { PasswordPolicyError, setUserPassword } from "../src/core/db/users";
import { promptPasswordTwice, readAdminArgs } from "./admin-cli";

const USAGE = `Usage: npm run admin:password -- [--email you@example.com] [--password '…']
Changes a dashboard user's password. Email defaults to ADMIN_EMAIL; asks for the password in a terminal.`;

async function main(): Promise<void> {
  const args = readAdminArgs(USAGE);
  const email = args.email ?? getConfig().auth.admin_email;
  if (!email) throw new Error("no email: pass --email or set ADMIN_EMAIL");
  const password = args.password ?? (await promptPasswordTwice());
  const user = await setUserPassword(email, password);
  console.log(`Password changed for ${user.email}.`);
}

main()
  .catch((err: unknown) => {
    const message =
      err instanceof PasswordPolicyError ? `password rejected: ${err.message}` : err instanceof Error ? err.message : String(err);
    console.error(`admin:password failed: ${message}`);
    process.exitCode = 1;
  })
  .finally(() => void getPrisma().$disconnect());
