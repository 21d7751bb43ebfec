/**
 * The ingest handler on bare node:http (bench/ingest-node-server.ts) as its own process, for tests
 * that check the node:http adapter behaves like the Next route.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { freePort, REPO_ROOT } from "./app";

export interface NodeIngestServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startNodeIngestServer(env: Record<string, string>): Promise<NodeIngestServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "bench/ingest-node-server.ts")], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      if (output.length < 2_000_000) output += d.toString();
      if (output.includes(`ready on ${port}`)) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then(() => reject(new Error(`bench/ingest-node-server.ts exited before it was ready:\n${output.slice(-4000)}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
