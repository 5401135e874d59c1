import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, reservationAt, windowOf } from '../../../../lambdas/webhooks/health/limiter.js';

describe('limiter', () => {
  it.each([
    { limit: 5, count: 1, expected: { granted: true, window: 100 } },
    { limit: 5, count: 5, expected: { granted: true, window: 100 } },
    { limit: 5, count: 6, expected: { granted: false, next: 101 } },
    { limit: 5, count: 10, expected: { granted: false, next: 101 } },
    { limit: 5, count: 11, expected: { granted: false, next: 102 } },
    { limit: 1, count: 3, expected: { granted: false, next: 102 } },
  ])('limit $limit, count $count in window 100 → $expected', ({ limit, count, expected }) => {
    expect(decide(limit, { window: 100, count })).toEqual(expected);
  });

  it('rejects a limit that is not a positive integer', () => {
    expect(() => decide(0, { window: 1, count: 1 })).toThrow(RangeError);
  });

  it.each([
    { reserved: 100, nowMs: 100_000, expected: 'go' },
    { reserved: 100, nowMs: 100_999, expected: 'go' },
    { reserved: 100, nowMs: 99_999, expected: 'early' },
    { reserved: 100, nowMs: 101_000, expected: 'late' },
  ])('reservation $reserved at $nowMs ms → $expected', ({ reserved, nowMs, expected }) => {
    expect(reservationAt(reserved, new Date(nowMs))).toBe(expected);
  });

  /** Simulates a burst of n deliveries arriving at once, each hopping as the limiter says. */
  function burst(limit: number, n: number, preload: Map<number, number> = new Map()) {
    const counts = new Map(preload);
    const granted: number[] = [];
    for (let i = 0; i < n; i++) {
      let window = 0;
      for (;;) {
        const count = (counts.get(window) ?? 0) + 1;
        counts.set(window, count);
        const decision = decide(limit, { window, count });
        if (decision.granted) {
          granted.push(decision.window);
          break;
        }
        window = decision.next;
      }
    }
    return granted;
  }

  it('never grants more than the limit in a window, for any burst and prior load', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 300 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 10 }),
        (limit, n, prior) => {
          const preload = new Map(prior.map((c, w) => [w, c] as [number, number]));
          const granted = burst(limit, n, preload);
          const perWindow = new Map<number, number>();
          for (const w of granted) perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
          // Prior load counts against the window too: what was granted there fits beside it.
          for (const [w, c] of perWindow)
            expect(c + Math.min(preload.get(w) ?? 0, limit)).toBeLessThanOrEqual(limit);
          expect(granted).toHaveLength(n);
        },
      ),
    );
  });

  it('packs a burst on empty windows: n deliveries take ceil(n / limit) windows, in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 300 }), (limit, n) => {
        const granted = burst(limit, n);
        expect(Math.max(...granted)).toBe(Math.ceil(n / limit) - 1);
        expect([...granted].sort((a, b) => a - b)).toEqual(granted);
      }),
    );
  });

  it('windowOf is the epoch second', () => {
    expect(windowOf(new Date(1_700_000_000_999))).toBe(1_700_000_000);
  });
});
