import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  budgetGrant,
  budgetWindow,
  DEFAULT_CALLER_DELIVERIES_PER_MINUTE,
  parseBudgetLimit,
} from '../../../lambdas/shared/delivery-budget.js';

describe('budgetGrant', () => {
  it.each([
    // current, requested, limit, mode, granted
    [0, 1, 10, 'all', 1],
    [9, 1, 10, 'all', 1],
    [10, 1, 10, 'all', 0],
    [5, 6, 10, 'all', 0],
    [5, 6, 10, 'some', 5],
    [10, 6, 10, 'some', 0],
    [12, 1, 10, 'some', 0], // a lowered limit: nothing left, never negative
    [0, 0, 10, 'all', 0],
    [0, 50, 10, 'all', 0], // more than the whole budget: never served whole
    [0, 50, 10, 'some', 10],
  ] as const)('current %i, requested %i, limit %i, %s → %i', (current, requested, limit, mode, granted) => {
    expect(budgetGrant(current, requested, limit, mode)).toBe(granted);
  });

  it('never grants past the limit nor more than asked, and `all` grants all or nothing', () => {
    fc.assert(
      fc.property(
        fc.nat(2000),
        fc.nat(2000),
        fc.integer({ min: 1, max: 2000 }),
        fc.constantFrom('all', 'some'),
        (current, requested, limit, mode) => {
          const granted = budgetGrant(current, requested, limit, mode as 'all' | 'some');
          expect(granted).toBeGreaterThanOrEqual(0);
          expect(granted).toBeLessThanOrEqual(requested);
          if (granted > 0) expect(current + granted).toBeLessThanOrEqual(limit);
          if (mode === 'all') expect([0, requested]).toContain(granted);
        },
      ),
    );
  });
});

describe('budgetWindow and parseBudgetLimit', () => {
  it('counts in fixed minutes and says when the next one opens', () => {
    const w = budgetWindow(new Date('2026-12-07T10:00:45Z'));
    expect(w.start).toBe(Date.parse('2026-12-07T10:00:00Z') / 1000);
    expect(w.retryAfterSeconds).toBe(15);
  });

  it('has a documented default and refuses a limit that is not a positive integer', () => {
    expect(parseBudgetLimit(undefined)).toBe(DEFAULT_CALLER_DELIVERIES_PER_MINUTE);
    expect(parseBudgetLimit('25')).toBe(25);
    for (const bad of ['0', '-1', '1.5', 'many'])
      expect(() => parseBudgetLimit(bad)).toThrow(/positive integer/);
  });
});
