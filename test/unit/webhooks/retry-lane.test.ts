import { describe, expect, it } from 'vitest';
import {
  nextRetryDelaySeconds,
  RETRY_LANE_MAX_WAIT_SECONDS,
  RETRY_SCHEDULE_SECONDS,
} from '../../../lambdas/webhooks/backoff.js';
import { afterDuplicate, laneDelaySeconds, laneRoute } from '../../../lambdas/webhooks/retry-lane.js';

describe('laneRoute', () => {
  it.each([
    [0, 1, true, 'lane'],
    [5_000, 1, true, 'lane'],
    [RETRY_LANE_MAX_WAIT_SECONDS * 1000, 1, true, 'lane'],
    [RETRY_LANE_MAX_WAIT_SECONDS * 1000 + 1, 1, true, 'workflow'],
    [2 * 3600 * 1000, 1, true, 'workflow'],
    // Scaled like the schedule: 2 h at 0.001 is 7.2 s, still past the lane's 2.7 s.
    [7_200, 0.001, true, 'workflow'],
    [1_800, 0.001, true, 'lane'],
    // No lane configured: everything is the workflow's.
    [5_000, 1, false, 'workflow'],
  ] as const)('%d ms at scale %d (lane %s) → %s', (waitMs, scale, configured, route) => {
    expect(laneRoute(waitMs, scale, configured)).toBe(route);
  });

  it('puts retries 1–3 on the lane whatever the jitter, and retry 4 onwards in the workflow', () => {
    for (const random of [0, 0.5, 0.999]) {
      const routes = RETRY_SCHEDULE_SECONDS.map((_, i) =>
        laneRoute((nextRetryDelaySeconds(i + 1, { random: () => random }) ?? 0) * 1000, 1, true),
      );
      expect(routes).toEqual(['lane', 'lane', 'lane', 'workflow', 'workflow', 'workflow', 'workflow']);
    }
  });
});

describe('laneDelaySeconds', () => {
  it.each([
    [0, 0],
    [999, 0],
    [1000, 1],
    [4_200, 5],
    [900_000, 900],
    [2_160_000, 900],
  ])('%d ms → DelaySeconds %d', (waitMs, delay) => {
    expect(laneDelaySeconds(waitMs)).toBe(delay);
  });
});

describe('afterDuplicate', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  const grace = 60_000;
  const retrying = { state: 'retrying' as const, attempts: 2, nextAttemptAt: '2026-12-07T12:05:00Z' };

  it.each([
    ['a later attempt was made', { ...retrying, attempts: 3 }, { action: 'drop' }],
    ['delivered', { ...retrying, state: 'delivered' as const }, { action: 'drop' }],
    ['parked meanwhile', { ...retrying, parkedAt: '2026-12-07T11:59:00Z' }, { action: 'drop' }],
    [
      'failed and dead-lettered',
      { ...retrying, state: 'failed' as const, deadLetteredAt: 'x' },
      { action: 'drop' },
    ],
    ['failed, never dead-lettered', { ...retrying, state: 'failed' as const }, { action: 'dead_letter' }],
    ['next attempt not yet overdue', retrying, { action: 'watch', at: '2026-12-07T12:06:00.000Z' }],
    [
      'next attempt overdue by more than the grace',
      { ...retrying, nextAttemptAt: '2026-12-07T11:58:59Z' },
      { action: 'resume', attempt: 3 },
    ],
  ])('%s', (_, stored, expected) => {
    expect(afterDuplicate(stored, 2, now, grace)).toEqual(expected);
  });
});
