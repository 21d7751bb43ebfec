/**
 * Kafka's key hash (murmur2, as the Java client's and kafkajs's default partitioner use it), on
 * 32-bit integers. kafkajs computes the same value with emulated 64-bit `Long` objects, a dozen
 * allocations per message: 15% of the web process's time on batches in a profile of bench:ingest.
 * Only the low 32 bits of each product matter, so Math.imul gives the same hash.
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Key bytes are written here, so hashing a key allocates nothing (keys are a site and a session id). */
const scratch = Buffer.alloc(1024);

/** murmur2 of the UTF-8 bytes of a key, as a signed 32-bit integer. */
export function murmur2(key: string | Buffer): number {
  if (typeof key !== "string") return hashBytes(key, key.length);
  // Writing stops short of the end when the key needs more bytes than the scratch buffer holds.
  if (key.length * 3 > scratch.length && Buffer.byteLength(key) > scratch.length) return murmur2(Buffer.from(key));
  return hashBytes(scratch, scratch.write(key, 0, "utf8"));
}

function hashBytes(data: Uint8Array, length: number): number {
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  switch (length & 3) {
    case 3:
      h ^= data[whole + 2]! << 16;
    // falls through
    case 2:
      h ^= data[whole + 1]! << 8;
    // falls through
    case 1:
      h ^= data[whole]!;
      h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of a key among `partitions`, as Kafka's default partitioner chooses it. */
export function keyPartition(key: string | Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
