// Plain Node (no dependencies): makes a fresh checkout runnable, then hands over to a
// TypeScript entry point. Used by `npm start` and `npm test`, so both work on a fresh machine.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);

function run(cmd, args, what) {
  const result = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (result.status !== 0) {
    console.error(`\n✗ ${what} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

/** npm ci when node_modules is missing or older than package-lock.json; prisma generate when the client is stale. */
export function ensureDependencies() {
  const lock = path.join(ROOT, "package-lock.json");
  const installed = path.join(ROOT, "node_modules", ".package-lock.json");
  if (mtime(installed) < mtime(lock)) {
    console.log("• Installing npm dependencies (npm ci)…");
    run("npm", ["ci", "--no-audit", "--no-fund"], "npm ci");
  }
  // npm 11 skips install scripts, so the Prisma client is generated here, not in a postinstall hook.
  const schema = path.join(ROOT, "prisma", "schema.prisma");
  const client = path.join(ROOT, "src", "generated", "prisma", "client.ts");
  if (mtime(client) < mtime(schema)) {
    console.log("• Generating the Prisma client…");
    run(path.join(ROOT, "node_modules", ".bin", "prisma"), ["generate"], "prisma generate");
  }
}

/** Runs a TypeScript entry point with tsx, forwarding signals; exits with its code. */
export function handOver(entry, args = []) {
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), [entry, ...args], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
