/**
 * Consumer throughput: how many events/s the real worker process turns into fsync'd, committed
 * JSON lines. Produces N events to a fresh topic first, then starts `tsx workers/consumer/main.ts`
 * and times from its group join until every offset is committed.
 *
 *   npx tsx workers/consumer/bench.ts [events=500000] [partitions=3]
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { CompressionTypes } from "kafkajs";
import {
  connectProducer,
  createConsumerTestEnv,
  readLogLines,
  startConsumerProcess,
  stopConsumerProcess,
} from "../../test/support/consumer-harness";

const TOTAL = Number(process.argv[2] ?? 500_000);
const PARTITIONS = Number(process.argv[3] ?? 3);
const SEND_SIZE = 2_000;
const PARALLEL_SENDS = 4;

async function main(): Promise<void> {
  const t = await createConsumerTestEnv("bench", PARTITIONS);
  const producer = await connectProducer(t.kafka);
  try {
    // Realistic sizes: ~250-byte events, an hour's worth of timestamps.
    const base = Date.now() - 3_600_000;
    const pages = ["/", "/pricing", "/docs/getting-started", "/blog/launch", "/signup"];
    const valueFor = (i: number) => {
      const session = `sess_${Math.floor(i / 12)}`;
      const type = i % 12 === 0 ? "session_created" : i % 3 === 0 ? "button_clicked" : "page_visited";
      return {
        key: session,
        value: JSON.stringify({
          event_type: type,
          user_id: `user_${Math.floor(i / 40) % 5000}`,
          session_id: session,
          page_path: pages[i % pages.length],
          ...(type === "button_clicked" ? { button_id: `btn_${i % 7}` } : {}),
          props: { ua: "Mozilla/5.0", ref: i % 2 ? "google" : "direct" },
          event_id: randomUUID(),
          event_time: new Date(base + Math.floor((i / TOTAL) * 3_600_000)).toISOString(),
        }),
      };
    };
    const p0 = performance.now();
    let next = 0;
    const sender = async () => {
      while (next < TOTAL) {
        const from = next;
        next = Math.min(TOTAL, next + SEND_SIZE);
        const messages = [];
        for (let i = from; i < next; i++) messages.push(valueFor(i));
        await producer.send({ topic: t.topic, acks: -1, compression: CompressionTypes.None, messages });
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_SENDS }, sender));
    const produceSec = (performance.now() - p0) / 1000;
    console.log(`produced ${TOTAL} events in ${produceSec.toFixed(1)} s (${Math.round(TOTAL / produceSec)}/s)`);

    const admin = t.kafka.admin();
    await admin.connect();
    // The worker runs as `node --import tsx` (not the tsx CLI) so its pid is the worker's own and its
    // CPU time can be read. CONSUMER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles it.
    const nodeArgs = process.env.CONSUMER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
    const consumer = await startConsumerProcess({ ...t.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "info" }, true, nodeArgs);
    const cpu0 = await cpuSeconds(consumer.child.pid!);
    const c0 = performance.now();
    let committed = 0;
    while (committed < TOTAL) {
      await new Promise((r) => setTimeout(r, 100));
      const [offsets] = await admin.fetchOffsets({ groupId: t.groupId, topics: [t.topic] });
      committed = offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      if (performance.now() - c0 > 300_000) throw new Error(`only ${committed} committed after 300 s`);
    }
    const consumeSec = (performance.now() - c0) / 1000;
    const cpuUsed = (await cpuSeconds(consumer.child.pid!)) - cpu0;
    await stopConsumerProcess(consumer);
    await admin.disconnect();
    const lines = await readLogLines(t.logsDir, "events");
    const ids = new Set(lines.map((l) => (JSON.parse(l) as { event_id: string }).event_id));
    let bytes = 0;
    for (const l of lines) bytes += l.length + 1;
    console.log(
      `consumer wrote + fsynced + committed ${TOTAL} events in ${consumeSec.toFixed(2)} s = ${Math.round(TOTAL / consumeSec)} events/s ` +
        `(${(bytes / consumeSec / 1e6).toFixed(1)} MB/s; ${lines.length} lines, ${ids.size} distinct ids, partitions ${PARTITIONS})`,
    );
    console.log(
      `consumer CPU: ${cpuUsed.toFixed(2)} s for ${TOTAL} events = ${Math.round(TOTAL / cpuUsed)} events per CPU-second ` +
        `(what one otherwise idle core sustains; load average now ${(await readFile("/proc/loadavg", "utf8")).split(" ")[0]})`,
    );
  } finally {
    await producer.disconnect();
    await t.cleanup();
  }
}

/** user + system CPU seconds of a process (Linux /proc). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
