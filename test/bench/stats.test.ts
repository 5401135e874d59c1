import { describe, expect, it } from 'vitest';
import { inOrderFraction, percentile, summarize } from '../../bench/lib/stats.js';

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('summarize', () => {
  it('sorts its input and reports count, percentiles and max', () => {
    expect(summarize([5, 1, 4, 2, 3])).toEqual({ count: 5, p50: 3, p95: 5, p99: 5, max: 5 });
  });
});

describe('inOrderFraction', () => {
  it('is 1 for FIFO processing and drops with each inversion', () => {
    expect(inOrderFraction([0, 1, 2, 3, 4])).toBe(1);
    expect(inOrderFraction([0, 2, 1, 3, 4])).toBe(0.75);
    expect(inOrderFraction([])).toBe(1);
  });
});
