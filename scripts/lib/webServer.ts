/**
 * How the web app is started everywhere outside Docker (npm start, the tests, the e2e stack, the
 * benches): node with tsx's loader running src/server/web/main.ts, which puts the client-address
 * step in front of Next. Run it with the app's directory as the working directory.
 */
import path from "node:path";

/** Arguments for `node` (process.execPath) that serve the app in appDir on port. */
export function webServerCommand(appDir: string, port: number, hostname?: string): string[] {
  return ["--import", "tsx", path.join(appDir, "src/server/web/main.ts"), "-p", String(port), ...(hostname ? ["-H", hostname] : [])];
}
