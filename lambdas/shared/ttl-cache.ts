/**
 * A per-container cache whose entries live at most `ttlMs` and which holds at most `maxEntries`
 * (oldest written evicted first). The clock is passed in, so staleness bounds are tested without
 * waiting. Small on purpose: it sits in every bundle that caches (authorizer, dispatch), and a general
 * LRU library would add size and cold-start time for features these callers do not use.
 *
 * What is cached, and how stale it may be, is the caller's decision and is documented where it is
 * used (docs/internals.md "What is cached, and for how long").
 */

interface TtlCacheOptions {
  /** Longest time an entry is served after it was written, in ms. */
  readonly ttlMs: number;
  /** @default 1000 */
  readonly maxEntries?: number;
}

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  readonly ttlMs: number;
  readonly maxEntries: number;

  constructor(options: TtlCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.maxEntries = options.maxEntries ?? 1000;
  }

  /** The entry written less than `ttlMs` before `now`, else undefined (and the stale entry is dropped). */
  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, now: number): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

export type { TtlCacheOptions };
export { TtlCache };
