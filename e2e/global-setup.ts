import type { FullConfig } from "@playwright/test";
import { startStack } from "./support/stack";

/**
 * Starts the platform once for all specs and hands its address to them through the environment
 * (Playwright's test workers inherit it). Returns the teardown.
 */
export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const stack = await startStack();
  process.env.E2E_BASE_URL = stack.baseUrl;
  process.env.E2E_LOGS_DIR = stack.logsDir;
  process.env.E2E_DATABASE_URL = stack.env.DATABASE_URL;
  // Everything the stack's processes run with, for a spec that starts one more of them (live.spec.ts).
  process.env.E2E_STACK_ENV = JSON.stringify(stack.env);
  return () => stack.stop();
}
