import { createHash } from "node:crypto";
import { getBcryptPool } from "../auth/bcryptPool";
import { getConfig } from "../config";
import { logger } from "../logging/logger";
import { getPrisma, type PrismaClient } from "./client";

/** bcrypt work factor: ~250 ms per hash on these machines, slow enough to make offline guessing expensive. */
const BCRYPT_ROUNDS = 12;
export const MIN_PASSWORD_LENGTH = 8;
/** bcrypt reads only the first 72 bytes; longer passwords would silently share a hash. */
export const MAX_PASSWORD_BYTES = 72;

/**
 * Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
 * (The hash of a random string nobody knows, same work factor.)
 */
const DUMMY_HASH = "$2b$12$wLrigp/kPh2k99j0HAac6uxwrkpjrOiJautQB5oiiL1lehViFuThW";

export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  /**
   * Changes whenever the password changes; sessions carry it, so changing the password
   * signs out every other session. Not secret-bearing (a hash of the bcrypt hash).
   */
  passwordVersion: string;
  /** admin: every site, user and setting; member: the sites they have a role on (docs/sites.md). */
  role: "admin" | "member";
}

export class PasswordPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PasswordPolicyError";
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function checkPasswordPolicy(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new PasswordPolicyError(`the password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (Buffer.byteLength(password, "utf8") > MAX_PASSWORD_BYTES) {
    throw new PasswordPolicyError(`the password must be at most ${MAX_PASSWORD_BYTES} bytes (bcrypt ignores the rest)`);
  }
}

export async function hashPassword(password: string): Promise<string> {
  checkPasswordPolicy(password);
  return getBcryptPool().hash(password, BCRYPT_ROUNDS);
}

export function passwordVersion(passwordHash: string | null): string {
  return createHash("sha256")
    .update(passwordHash ?? "")
    .digest("hex")
    .slice(0, 16);
}

function toPublic(user: {
  id: string;
  email: string;
  name: string | null;
  passwordHash: string | null;
  role: "admin" | "member";
}): PublicUser {
  return { id: user.id, email: user.email, name: user.name, passwordVersion: passwordVersion(user.passwordHash), role: user.role };
}

export async function findUserById(id: string, prisma: PrismaClient = getPrisma()): Promise<PublicUser | null> {
  const user = await prisma.user.findUnique({ where: { id } }).catch(() => null);
  return user ? toPublic(user) : null;
}

export async function findUserByEmail(email: string, prisma: PrismaClient = getPrisma()): Promise<PublicUser | null> {
  const user = await prisma.user.findUnique({ where: { email: normalizeEmail(email) } });
  return user ? toPublic(user) : null;
}

/**
 * The user when the email and password match, else null. Takes the same time whether or not the
 * email exists: an unknown email is checked against DUMMY_HASH through the same pool. Throws
 * BcryptBusyError when the pool's queue is full (for a known and an unknown email alike).
 */
export async function verifyUserPassword(email: string, password: string, prisma: PrismaClient = getPrisma()): Promise<PublicUser | null> {
  const user = await prisma.user.findUnique({ where: { email: normalizeEmail(email) } });
  const ok = await getBcryptPool().compare(password, user?.passwordHash ?? DUMMY_HASH);
  return ok && user?.passwordHash ? toPublic(user) : null;
}

/**
 * Creates the user as an admin (the paths that use this are the platform's own admin set-up and
 * `npm run admin:create`), or sets the password of the existing one, keeping their role.
 */
export async function upsertUserWithPassword(
  email: string,
  password: string,
  prisma: PrismaClient = getPrisma(),
): Promise<{ user: PublicUser; created: boolean }> {
  const normalized = normalizeEmail(email);
  const passwordHash = await hashPassword(password);
  const existing = await prisma.user.findUnique({ where: { email: normalized } });
  const user = await prisma.user.upsert({
    where: { email: normalized },
    create: { email: normalized, passwordHash, role: "admin" },
    update: { passwordHash },
  });
  return { user: toPublic(user), created: !existing };
}

/** Changes the password of an existing user; throws when there is no such user. */
export async function setUserPassword(email: string, password: string, prisma: PrismaClient = getPrisma()): Promise<PublicUser> {
  const normalized = normalizeEmail(email);
  const passwordHash = await hashPassword(password);
  const existing = await prisma.user.findUnique({ where: { email: normalized } });
  if (!existing) throw new Error(`no user with email ${normalized}; create it with npm run admin:create`);
  const user = await prisma.user.update({ where: { email: normalized }, data: { passwordHash } });
  return toPublic(user);
}

export type EnsureAdminResult =
  { status: "created"; email: string } | { status: "exists"; email: string } | { status: "skipped"; reason: string };

/**
 * Creates the admin from ADMIN_EMAIL / ADMIN_PASSWORD when no user with that email exists yet.
 * An existing admin's password is left alone, so a password changed with `npm run admin:password`
 * survives restarts; set `reset: true` to overwrite it from the environment.
 */
export async function ensureAdminFromEnv(
  options: { reset?: boolean; prisma?: PrismaClient; auth?: { admin_email?: string; admin_password?: string } } = {},
): Promise<EnsureAdminResult> {
  const { admin_email: email, admin_password: password } = options.auth ?? getConfig().auth;
  const prisma = options.prisma ?? getPrisma();
  if (!email || !password) {
    const users = await prisma.user.count();
    const reason =
      users > 0
        ? "ADMIN_EMAIL/ADMIN_PASSWORD not set; keeping the existing users"
        : "ADMIN_EMAIL/ADMIN_PASSWORD not set and no user exists: nobody can sign in until you run npm run admin:create";
    if (users === 0) logger.warn(reason);
    return { status: "skipped", reason };
  }
  const normalized = normalizeEmail(email);
  const existing = await prisma.user.findUnique({ where: { email: normalized } });
  if (existing && !options.reset) return { status: "exists", email: normalized };
  await upsertUserWithPassword(normalized, password, prisma);
  logger.info({ email: normalized, reset: Boolean(existing) }, existing ? "admin password reset from environment" : "admin user created");
  return { status: existing ? "exists" : "created", email: normalized };
}
