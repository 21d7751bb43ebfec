import { rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadSimulatorConfig, parseSimulatorConfig, SimulatorConfigError } from "./config";

function problems(input: unknown): string[] {
  try {
    parseSimulatorConfig(input, "event_simulator_config.yaml");
  } catch (err) {
    if (err instanceof SimulatorConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("simulator config", () => {
  it("accepts the committed event_simulator_config.yaml and an empty file (all defaults)", () => {
    const c = loadSimulatorConfig(path.resolve(import.meta.dirname, "../../event_simulator_config.yaml"));
    expect(c.target_url).toBe("http://localhost:3000");
    expect(c.pages.length).toBeGreaterThan(1);
    expect(c.send_context).toBe(true);
    expect(parseSimulatorConfig(null).batch_size).toBe(20);
  });

  it("names each bad setting", () => {
    expect(problems({ users: 0 })).toEqual([expect.stringMatching(/^event_simulator_config\.yaml: users: /)]);
    expect(problems({ probabilities: { click: 1.5 } })).toEqual([
      "event_simulator_config.yaml: probabilities.click: must be between 0 and 1",
    ]);
    expect(problems({ batch_size: 501 })[0]).toMatch(/batch_size: must be at most 500/);
    expect(problems({ think_time_seconds: { min: 10, max: 1 } })[0]).toMatch(/think_time_seconds: .*min must not be greater than max/);
    expect(problems({ pages: [{ path: "home" }] })[0]).toMatch(/pages\.0\.path: must start with \//);
    expect(problems({ pages: [{ path: "/", buttons: ["a", "a"] }] })[0]).toMatch(/pages\.0\.buttons: button ids must be unique/);
    expect(problems({ rate: 5 })[0]).toMatch(/rate/);
    expect(problems({ target_url: "localhost" })[0]).toMatch(/target_url/);
  });

  it("reports YAML syntax errors with the file name", () => {
    const file = path.join(os.tmpdir(), `pulse-consumer-sim-${process.pid}.yaml`);
    writeFileSync(file, "users: [1,\n");
    try {
      expect(() => loadSimulatorConfig(file)).toThrow(/pulse-consumer-sim-.*\.yaml: /);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
