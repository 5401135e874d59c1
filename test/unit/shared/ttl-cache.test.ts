import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../../lambdas/shared/ttl-cache.js';

describe('TtlCache', () => {
  describe('staleness bound', () => {
    it.each([
      { name: 'just written', readAfterMs: 0, served: true },
      { name: 'one ms before the TTL', readAfterMs: 4_999, served: true },
      { name: 'at the TTL', readAfterMs: 5_000, served: false },
      { name: 'long after', readAfterMs: 60_000, served: false },
    ])('$name → served: $served', ({ readAfterMs, served }) => {
      const cache = new TtlCache<string>({ ttlMs: 5_000 });
      cache.set('k', 'v', 1_000);
      expect(cache.get('k', 1_000 + readAfterMs)).toBe(served ? 'v' : undefined);
    });

    it('never serves a value older than the TTL, whatever the sequence of writes and reads', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 10_000 }),
          fc.array(
            fc.record({ write: fc.boolean(), key: fc.constantFrom('a', 'b', 'c'), dt: fc.nat(3_000) }),
            { maxLength: 60 },
          ),
          (ttlMs, steps) => {
            const cache = new TtlCache<number>({ ttlMs, maxEntries: 2 });
            let now = 0;
            for (const step of steps) {
              now += step.dt;
              if (step.write) cache.set(step.key, now, now);
              else {
                const writtenAt = cache.get(step.key, now);
                if (writtenAt !== undefined) expect(now - writtenAt).toBeLessThan(ttlMs);
              }
            }
          },
        ),
      );
    });
  });

  it('a rewrite restarts the entry’s lifetime', () => {
    const cache = new TtlCache<string>({ ttlMs: 100 });
    cache.set('k', 'old', 0);
    cache.set('k', 'new', 90);
    expect(cache.get('k', 150)).toBe('new');
    expect(cache.get('k', 190)).toBeUndefined();
  });

  it('holds at most maxEntries, evicting the oldest written', () => {
    const cache = new TtlCache<number>({ ttlMs: 1_000, maxEntries: 2 });
    cache.set('a', 1, 0);
    cache.set('b', 2, 0);
    cache.set('c', 3, 0);
    expect(cache.size).toBe(2);
    expect(cache.get('a', 1)).toBeUndefined();
    expect([cache.get('b', 1), cache.get('c', 1)]).toEqual([2, 3]);
  });

  it('a TTL of 0 caches nothing', () => {
    const cache = new TtlCache<number>({ ttlMs: 0 });
    cache.set('a', 1, 0);
    expect(cache.get('a', 0)).toBeUndefined();
  });
});
