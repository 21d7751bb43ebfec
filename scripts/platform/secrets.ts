/**
 * First-run secrets for a self-hosted install: the session-signing secret and, when no admin
 * is configured, a generated admin password. Both are kept under data/ (mode 600), so
 * restarts keep sessions and the password; setting AUTH_SECRET / ADMIN_* overrides them.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const DATA_DIR = path.resolve("data");

function persisted(name: string, make: () => string): string {
  const file = path.join(DATA_DIR, name);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(DATA_DIR, { recursive: true });
  const value = make();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

export function authSecret(): string {
  return persisted(".auth-secret", () => randomBytes(32).toString("hex"));
}

export const GENERATED_ADMIN_EMAIL = "admin@localhost";

export const ADMIN_PASSWORD_FILE = path.join("data", ".admin-password");

export function generatedAdminPassword(): { password: string; file: string } {
  return { password: persisted(".admin-password", () => randomBytes(12).toString("base64url")), file: ADMIN_PASSWORD_FILE };
}
