/**
 * A map that holds at most `capacity` entries and drops the oldest one when full. Header values
 * (user agents, Accept-Language) repeat across visitors, so remembering recent answers turns the
 * parsing into one lookup; the bound keeps a flood of distinct hostile values from growing memory.
 *
 * Oldest-in first, not least-recently-used, so a hit is one lookup with no reordering. The order
 * is kept in a ring of keys rather than read from the Map's own insertion order: V8 keeps deleted
 * entries at the front of a Map until it rehashes, so "delete the first key" on a full Map walks
 * past thousands of them: about 5 µs per insert at 5,000 entries, against 0.4 µs with the ring.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();
  private readonly ring: (string | undefined)[];
  private next = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<string | undefined>(capacity);
  }

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    if (!this.entries.has(key)) {
      const oldest = this.ring[this.next];
      if (oldest !== undefined) this.entries.delete(oldest);
      this.ring[this.next] = key;
      this.next = (this.next + 1) % this.capacity;
    }
    this.entries.set(key, value);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.ring.fill(undefined);
    this.next = 0;
  }
}
