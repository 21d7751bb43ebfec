import pino from "pino";
import { describe, expect, it } from "vitest";
import { installShutdown } from "./shutdown";

const logger = pino({ level: "silent" });

function setup(cleanup: () => Promise<void>, timeoutMs = 1000) {
  const exits: number[] = [];
  let calls = 0;
  const shutdown = installShutdown({
    logger,
    timeoutMs,
    signals: [],
    exit: (code) => void exits.push(code),
    cleanup: async () => {
      calls++;
      await cleanup();
    },
  });
  return { shutdown, exits, calls: () => calls };
}

describe("installShutdown", () => {
  it("exits 0 after cleanup, and runs cleanup only once when asked twice", async () => {
    const s = setup(async () => undefined);
    await Promise.all([s.shutdown("SIGTERM"), s.shutdown("SIGINT")]);
    expect(s.exits).toEqual([0]);
    expect(s.calls()).toBe(1);
  });

  it("exits with the code given (a crash) and 1 when cleanup fails", async () => {
    const crashed = setup(async () => undefined);
    await crashed.shutdown("consumer crashed", 1);
    expect(crashed.exits).toEqual([1]);
    const failing = setup(async () => {
      throw new Error("disconnect failed");
    });
    await failing.shutdown("SIGTERM");
    expect(failing.exits).toEqual([1]);
  });

  it("forces exit 1 when cleanup hangs past the timeout", async () => {
    const s = setup(() => new Promise(() => undefined), 50);
    void s.shutdown("SIGTERM");
    await new Promise((r) => setTimeout(r, 150));
    expect(s.exits).toEqual([1]);
  });
});
