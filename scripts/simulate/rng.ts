/** A seeded pseudo-random source: returns floats in [0, 1). Same seed, same sequence. */
export type Rng = () => number;

/** mulberry32: tiny, fast and good enough for simulated traffic (not for secrets). */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function u32(rng: Rng): number {
  return Math.floor(rng() * 4294967296) >>> 0;
}

function hex32(n: number): string {
  return HEX[(n >>> 24) & 0xff]! + HEX[(n >>> 16) & 0xff]! + HEX[(n >>> 8) & 0xff]! + HEX[n & 0xff]!;
}

/** A version-4 UUID drawn from the seeded source, so a seeded run's event_ids are reproducible. */
export function uuidV4(rng: Rng): string {
  const a = hex32(u32(rng));
  const b = hex32((u32(rng) & 0xffff0fff) | 0x00004000); // version 4
  const c = hex32((u32(rng) & 0x3fffffff) | 0x80000000); // RFC 4122 variant
  const d = hex32(u32(rng));
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
}

/** Uniform integer in [min, max]. */
export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** Log-uniform in [min, max]: short waits are common, long ones rare (like real think times). */
export function logUniform(rng: Rng, min: number, max: number): number {
  if (min <= 0 || max <= min) return min + rng() * (max - min);
  return min * Math.pow(max / min, rng());
}

/** Exponential waiting time with the given mean (Poisson arrivals). */
export function exponential(rng: Rng, mean: number): number {
  return -Math.log(1 - rng()) * mean;
}

/** Draws an index by weight: a cumulative table and a binary search. */
export class WeightedPicker {
  private readonly cumulative: number[];
  private readonly total: number;
  constructor(weights: readonly number[]) {
    let sum = 0;
    this.cumulative = weights.map((w) => (sum += w));
    this.total = sum;
  }
  pick(rng: Rng): number {
    const x = rng() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
