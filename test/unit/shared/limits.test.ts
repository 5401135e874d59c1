import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  admits,
  DEFAULT_LIMITS,
  limitDetail,
  REPLAY_WINDOW_SECONDS,
  windowAt,
} from '../../../lambdas/shared/limits.js';

describe('limits', () => {
  it('documents its defaults: 50 endpoints a tenant, 10 bulk replays a minute, 1000 events a replay, 1000 caller-triggered deliveries a minute', () => {
    expect(DEFAULT_LIMITS).toEqual({
      endpointsPerTenant: 50,
      replayCallsPerMinute: 10,
      replayEventsPerCall: 1000,
      callerDeliveriesPerMinute: 1000,
    });
    expect(Object.isFrozen(DEFAULT_LIMITS)).toBe(true);
  });

  it.each([
    [0, 1, true],
    [49, 50, true],
    [50, 50, false],
    [51, 50, false],
  ])('admits(%i, %i) → %s', (current, limit, expected) => {
    expect(admits(current, limit)).toBe(expected);
  });

  it.each([
    ['2026-12-01T10:00:00.000Z', 1_796_119_200, 60],
    ['2026-12-01T10:00:59.999Z', 1_796_119_200, 1],
    ['2026-12-01T10:00:30.000Z', 1_796_119_200, 30],
    ['2026-12-01T10:01:00.000Z', 1_796_119_260, 60],
  ])('windowAt(%s) starts at %i, Retry-After %i s', (at, start, retryAfter) => {
    expect(windowAt(new Date(at))).toEqual({
      start,
      retryAfterSeconds: retryAfter,
      expiresAt: start + 2 * REPLAY_WINDOW_SECONDS,
    });
  });

  it('every instant falls in the window it names, and Retry-After reaches the next one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (ms) => {
        const w = windowAt(new Date(ms));
        const seconds = Math.floor(ms / 1000);
        expect(w.start % REPLAY_WINDOW_SECONDS).toBe(0);
        expect(seconds).toBeGreaterThanOrEqual(w.start);
        expect(seconds).toBeLessThan(w.start + REPLAY_WINDOW_SECONDS);
        expect(windowAt(new Date((seconds + w.retryAfterSeconds) * 1000)).start).toBe(
          w.start + REPLAY_WINDOW_SECONDS,
        );
      }),
    );
  });

  it('names the limit, its value and the count in the problem detail', () => {
    expect(limitDetail('endpointsPerTenant', 50, 50)).toEqual({
      limitName: 'endpointsPerTenant',
      limit: 50,
      current: 50,
    });
  });
});
