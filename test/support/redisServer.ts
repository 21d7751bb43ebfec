/**
 * A throw-away redis-server of a test's own (Debian's `redis-server` on PATH), on a free port, with
 * nothing saved to disk: for state no other test run may share (sign-in counters live 15 minutes),
 * and for tests that take Redis away and bring it back.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { freePort } from "./app";

export interface RedisServer {
  port: number;
  url: string;
  /** Starts it (again) on the same port and waits until it accepts connections. */
  start(): Promise<void>;
  /** Kills it (SIGKILL: gone at once, as in a crash); safe to call twice. */
  stop(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    async start() {
      const started = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
        stdio: "ignore",
      });
      child = started;
      const failed = new Promise<never>((_, reject) =>
        started.once("error", (err) => reject(new Error(`cannot run redis-server (is it installed?): ${err.message}`))),
      );
      const deadline = Date.now() + 10_000;
      while (!(await Promise.race([listening(port), failed]))) {
        if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} in 10 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once("exit", () => resolve());
        running.kill("SIGKILL");
      });
    },
  };
  await server.start();
  return server;
}
