import { createHash, randomBytes } from "node:crypto";
import { emailSchema } from "../auth/email";
import { INVITE_DAYS } from "../sites/invites";
import { getPrisma, type PrismaClient } from "./client";
import { hashPassword, normalizeEmail } from "./users";

/**
 * Members of a site and invitations (docs/sites.md, "Members"). An admin invites someone by email
 * with a role; a person without a password gets a one-time link to set one (printed for the admin
 * to send; Pulse sends no email), valid for INVITE_DAYS.
 */

export type SiteRole = "viewer" | "editor";
export { INVITE_DAYS };

export interface MemberRecord {
  userId: string;
  email: string;
  role: SiteRole;
  /** False until the person set a password through their invitation. */
  hasPassword: boolean;
  since: Date;
}

export class MemberInputError extends Error {}

const sha256 = (value: string): string => createHash("sha256").update(value).digest("hex");

export async function listMembers(siteId: string, prisma: PrismaClient = getPrisma()): Promise<MemberRecord[]> {
  const rows = await prisma.siteMember.findMany({
    where: { siteId },
    select: { role: true, createdAt: true, user: { select: { id: true, email: true, passwordHash: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((r) => ({
    userId: r.user.id,
    email: r.user.email,
    role: r.role,
    hasPassword: r.user.passwordHash !== null,
    since: r.createdAt,
  }));
}

/** A one-time link (the token is shown once; only its hash is stored). */
export async function createInvite(userId: string, baseUrl: string, prisma: PrismaClient = getPrisma()): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await prisma.userInvite.create({
    data: { tokenHash: sha256(token), userId, expiresAt: new Date(Date.now() + INVITE_DAYS * 86_400_000) },
  });
  return `${baseUrl.replace(/\/$/, "")}/invite/${token}`;
}

/**
 * Gives a person a role on the site, making their account when there is none. Returns the link
 * to set a password when they have none yet (null when they can already sign in).
 */
export async function inviteMember(
  input: { siteId: string; email: string; role: SiteRole; baseUrl: string },
  prisma: PrismaClient = getPrisma(),
): Promise<{ member: MemberRecord; inviteUrl: string | null; createdUser: boolean }> {
  const parsed = emailSchema.safeParse(input.email.trim());
  if (!parsed.success) throw new MemberInputError(`"${input.email}" is not an email address`);
  const email = normalizeEmail(parsed.data);
  const existing = await prisma.user.findUnique({ where: { email }, select: { id: true } });
  const user = existing ?? (await prisma.user.create({ data: { email, role: "member" }, select: { id: true } }));
  await prisma.siteMember.upsert({
    where: { siteId_userId: { siteId: input.siteId, userId: user.id } },
    create: { siteId: input.siteId, userId: user.id, role: input.role },
    update: { role: input.role },
  });
  const member = (await listMembers(input.siteId, prisma)).find((m) => m.userId === user.id)!;
  const inviteUrl = member.hasPassword ? null : await createInvite(user.id, input.baseUrl, prisma);
  return { member, inviteUrl, createdUser: !existing };
}

export async function setMemberRole(siteId: string, userId: string, role: SiteRole, prisma: PrismaClient = getPrisma()): Promise<boolean> {
  const { count } = await prisma.siteMember.updateMany({ where: { siteId, userId }, data: { role } });
  return count > 0;
}

export async function removeMember(siteId: string, userId: string, prisma: PrismaClient = getPrisma()): Promise<boolean> {
  const { count } = await prisma.siteMember.deleteMany({ where: { siteId, userId } });
  return count > 0;
}

export class InviteError extends Error {}

/** Who an invitation is for, or null when the link is unknown, used or expired. */
export async function inviteFor(token: string, prisma: PrismaClient = getPrisma()): Promise<{ email: string } | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const invite = await prisma.userInvite.findUnique({
    where: { tokenHash: sha256(token) },
    select: { usedAt: true, expiresAt: true, user: { select: { email: true } } },
  });
  if (!invite || invite.usedAt || invite.expiresAt.getTime() < Date.now()) return null;
  return { email: invite.user.email };
}

/** Sets the invited person's password and uses up the link (every other open link of theirs too). */
export async function redeemInvite(token: string, password: string, prisma: PrismaClient = getPrisma()): Promise<{ email: string }> {
  const target = await inviteFor(token, prisma);
  if (!target) throw new InviteError("This invitation link is not valid any more. Ask the admin for a new one.");
  // Hashed first: a password the policy refuses does not use up the link.
  const passwordHash = await hashPassword(password);
  const tokenHash = sha256(token);
  const now = new Date();
  // Taken atomically: of two submits at once, one wins.
  const taken = await prisma.userInvite.updateMany({ where: { tokenHash, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  if (taken.count !== 1) throw new InviteError("This invitation link is not valid any more. Ask the admin for a new one.");
  const { userId } = await prisma.userInvite.findUniqueOrThrow({ where: { tokenHash }, select: { userId: true } });
  await prisma.$transaction([
    prisma.user.update({ where: { id: userId }, data: { passwordHash } }),
    prisma.userInvite.updateMany({ where: { userId, usedAt: null }, data: { usedAt: now } }),
  ]);
  return target;
}
