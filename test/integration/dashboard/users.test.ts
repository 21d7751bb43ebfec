/** The admin user: created from the environment once, password checks, password changes. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, type PrismaClient } from "@/core/db/client";
import { ensureAdminFromEnv, PasswordPolicyError, setUserPassword, upsertUserWithPassword, verifyUserPassword } from "@/core/db/users";
import { createTestDatabase, type TestDatabase } from "../../support/db";

let db: TestDatabase;
let prisma: PrismaClient;

beforeAll(async () => {
  db = await createTestDatabase("dash_users");
  prisma = createPrismaClient(db.url);
});

afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

describe("admin user", () => {
  it("is created from ADMIN_EMAIL / ADMIN_PASSWORD once, and a restart keeps a changed password", async () => {
    const auth = { admin_email: "Admin@Example.com", admin_password: "first-password-1" };
    expect(await ensureAdminFromEnv({ prisma, auth })).toEqual({ status: "created", email: "admin@example.com" });
    expect(await verifyUserPassword("admin@example.com", "first-password-1", prisma)).toMatchObject({ email: "admin@example.com" });

    await setUserPassword("admin@example.com", "changed-password-2", prisma);
    expect(await ensureAdminFromEnv({ prisma, auth })).toEqual({ status: "exists", email: "admin@example.com" });
    expect(await verifyUserPassword("admin@example.com", "changed-password-2", prisma)).not.toBeNull();
    expect(await verifyUserPassword("admin@example.com", "first-password-1", prisma)).toBeNull();

    // reset: true puts the environment's password back (for a lost password on a headless box).
    await ensureAdminFromEnv({ prisma, auth, reset: true });
    expect(await verifyUserPassword("admin@example.com", "first-password-1", prisma)).not.toBeNull();
  });

  it("is skipped with a reason when the environment names no admin", async () => {
    const result = await ensureAdminFromEnv({ prisma, auth: {} });
    expect(result.status).toBe("skipped");
  });

  it("stores only a bcrypt hash and refuses wrong passwords and unknown emails", async () => {
    await upsertUserWithPassword("ops@example.com", "ops-password-123", prisma);
    const row = await prisma.user.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    expect(row.passwordHash).toMatch(/^\$2[aby]\$12\$/);
    expect(row.passwordHash).not.toContain("ops-password-123");
    expect(await verifyUserPassword("ops@example.com", "ops-password-124", prisma)).toBeNull();
    expect(await verifyUserPassword("nobody@example.com", "ops-password-123", prisma)).toBeNull();
    expect(await verifyUserPassword(" OPS@example.com ", "ops-password-123", prisma)).not.toBeNull();
  });

  it("changes the password version when the password changes (so old sessions end)", async () => {
    const before = await verifyUserPassword("ops@example.com", "ops-password-123", prisma);
    await setUserPassword("ops@example.com", "ops-password-456", prisma);
    const after = await verifyUserPassword("ops@example.com", "ops-password-456", prisma);
    expect(after!.passwordVersion).not.toBe(before!.passwordVersion);
  });

  it("refuses passwords bcrypt cannot hold and users that do not exist", async () => {
    await expect(upsertUserWithPassword("x@example.com", "short", prisma)).rejects.toBeInstanceOf(PasswordPolicyError);
    await expect(upsertUserWithPassword("x@example.com", "é".repeat(40), prisma)).rejects.toThrow(/72 bytes/);
    await expect(setUserPassword("ghost@example.com", "long-enough-1", prisma)).rejects.toThrow(/no user/);
  });
});
