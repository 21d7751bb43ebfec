/** Turns the children's output (pino JSON lines or plain text) into readable, prefixed lines. */
const COLORS: Record<string, string> = { web: "\x1b[36m", consumer: "\x1b[35m", etl: "\x1b[33m" };
const LEVELS: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const OMIT = new Set(["level", "time", "pid", "hostname", "msg", "service"]);

export function formatLine(name: string, line: string, color = process.stdout.isTTY): string {
  const tag = color ? `${COLORS[name] ?? ""}${name.padEnd(8)}\x1b[0m` : name.padEnd(8);
  if (!line.startsWith("{")) return `${tag} ${line}`;
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const time = typeof entry.time === "string" ? entry.time.slice(11, 19) : "";
    const level = LEVELS[Number(entry.level)] ?? "";
    const fields = Object.entries(entry)
      .filter(([k]) => !OMIT.has(k))
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
      .join(" ");
    return `${tag} ${time} ${level === "info" ? "" : `${level} `}${String(entry.msg ?? "")}${fields ? `  ${fields}` : ""}`;
  } catch {
    return `${tag} ${line}`;
  }
}
