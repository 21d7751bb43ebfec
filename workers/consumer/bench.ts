/**
 * Consumer throughput: how many events/s the real worker process turns into fsync'd, committed
 * JSON lines. Produces N events to a fresh topic first, then starts `tsx workers/consumer/main.ts`
 * and times from its group join until every offset is committed.
 *
 *   npx tsx workers/consumer/bench.ts [events=500000] [partitions=3]
 */
import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import {
  connectProducer,
  createConsumerTestEnv,
  produceSyntheticEvents,
  readLogLines,
  startConsumerProcess,
  stopConsumerProcess,
} from "../../test/support/consumer-harness";
import { cpuSeconds } from "../../test/support/worker";

const TOTAL = Number(process.argv[2] ?? 500_000);
const PARTITIONS = Number(process.argv[3] ?? 3);

async function main(): Promise<void> {
  const t = await createConsumerTestEnv("bench", PARTITIONS);
  const producer = await connectProducer(t.kafka);
  try {
    const p0 = performance.now();
    await produceSyntheticEvents(producer, t.topic, TOTAL);
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

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
