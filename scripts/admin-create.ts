/**
 * `npm run admin:create [-- --email you@example.com --password '…']`
 * Creates a dashboard user (or sets the password of an existing one). Without flags it uses
 * ADMIN_EMAIL / ADMIN_PASSWORD, and asks for the password when run in a terminal.
 */
import { getConfig } from "../src/core/config";
import { getPrisma } from "../src/core/db/client";
import { PasswordPolicyError, upsertUserWithPassword } from "../src/core/db/users";
import { promptPasswordTwice, readAdminArgs } from "./admin-cli";

const USAGE = `Usage: npm run admin:create -- --email you@example.com [--password '…']
Creates the dashboard user (or resets its password if it exists).
Defaults: ADMIN_EMAIL / ADMIN_PASSWORD from the environment; asks for the password in a terminal.`;

async function main(): Promise<void> {
  const args = readAdminArgs(USAGE);
  const auth = getConfig().auth;
  const email = args.email ?? auth.admin_email;
  if (!email) throw new Error("no email: pass --email or set ADMIN_EMAIL");
  const password = args.password ?? auth.admin_password ?? (await promptPasswordTwice());
  const { user, created } = await upsertUserWithPassword(email, password);
  console.log(created ? `Created dashboard user ${user.email}.` : `User ${user.email} existed; its password was changed.`);
}

main()
  .catch((err: unknown) => {
    const message =
      err instanceof PasswordPolicyError ? `password rejected: ${err.message}` : err instanceof Error ? err.message : String(err);
    console.error(`admin:create failed: ${message}`);
    process.exitCode = 1;
  })
  .finally(() => void getPrisma().$disconnect());
