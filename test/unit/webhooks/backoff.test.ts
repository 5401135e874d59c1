import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ATTEMPT_ALLOWANCE_SECONDS,
  MAX_ATTEMPTS,
  MAX_RETRY_AFTER_SECONDS,
  nextRetryDelay,
  nextRetryDelaySeconds,
  parseRetryAfter,
  RETRY_SCHEDULE_SECONDS,
  RETRY_WORKFLOW_TIMEOUT_SECONDS,
  worstCaseScheduleSeconds,
} from '../../../lambdas/webhooks/backoff.js';

const middle = (): number => 0.5;
const lowest = (): number => 0;
const highest = (): number => 0.999_999_999;

describe('backoff', () => {
  describe('RETRY_SCHEDULE_SECONDS', () => {
    it('is 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
      expect(RETRY_SCHEDULE_SECONDS).toEqual([5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
    });

    it('never decreases', () => {
      for (let i = 1; i < RETRY_SCHEDULE_SECONDS.length; i++) {
        expect(RETRY_SCHEDULE_SECONDS[i]).toBeGreaterThanOrEqual(RETRY_SCHEDULE_SECONDS[i - 1]!);
      }
    });

    it('spans about a day (24–30 h in all)', () => {
      const total = RETRY_SCHEDULE_SECONDS.reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThanOrEqual(24 * 3600);
      expect(total).toBeLessThanOrEqual(30 * 3600);
    });

    it('cannot be changed at run time', () => {
      expect(Object.isFrozen(RETRY_SCHEDULE_SECONDS)).toBe(true);
    });

    it('MAX_ATTEMPTS is the inline attempt plus one per scheduled retry', () => {
      expect(MAX_ATTEMPTS).toBe(8);
    });
  });

  describe('nextRetryDelaySeconds', () => {
    it('follows the schedule with neutral jitter', () => {
      const delays = RETRY_SCHEDULE_SECONDS.map((_, i) => nextRetryDelaySeconds(i + 1, { random: middle }));
      expect(delays).toEqual([...RETRY_SCHEDULE_SECONDS]);
    });

    it.each(RETRY_SCHEDULE_SECONDS.map((s, i) => [i + 1, s] as const))(
      'after attempt %i stays within ±20%% of %i s',
      (attempt, scheduled) => {
        const low = nextRetryDelaySeconds(attempt, { random: lowest })!;
        const high = nextRetryDelaySeconds(attempt, { random: highest })!;
        expect(low).toBe(Math.ceil(scheduled * 0.8));
        expect(high).toBeLessThanOrEqual(Math.ceil(scheduled * 1.2));
        expect(high).toBeGreaterThan(low);
        for (let k = 0; k < 200; k++) {
          const value = nextRetryDelaySeconds(attempt)!;
          expect(value).toBeGreaterThanOrEqual(Math.ceil(scheduled * 0.8));
          expect(value).toBeLessThanOrEqual(Math.ceil(scheduled * 1.2));
        }
      },
    );

    it('returns whole seconds at time scale 1', () => {
      for (let k = 0; k < 100; k++) expect(Number.isInteger(nextRetryDelaySeconds(2))).toBe(true);
    });

    it('returns undefined once the schedule is exhausted', () => {
      expect(nextRetryDelaySeconds(MAX_ATTEMPTS - 1, { random: middle })).toBe(36_000);
      expect(nextRetryDelaySeconds(MAX_ATTEMPTS)).toBeUndefined();
      expect(nextRetryDelaySeconds(MAX_ATTEMPTS + 5)).toBeUndefined();
    });

    it('rejects a non-positive or fractional attempt number', () => {
      expect(() => nextRetryDelaySeconds(0)).toThrow(RangeError);
      expect(() => nextRetryDelaySeconds(1.5)).toThrow(RangeError);
    });

    it('never waits less than Retry-After', () => {
      expect(nextRetryDelaySeconds(1, { random: highest, retryAfterSeconds: 120 })).toBe(120);
    });

    it('keeps the scheduled wait when Retry-After is shorter', () => {
      expect(nextRetryDelaySeconds(3, { random: middle, retryAfterSeconds: 10 })).toBe(1800);
    });

    it('caps Retry-After at 6 h', () => {
      expect(nextRetryDelaySeconds(1, { random: middle, retryAfterSeconds: 10 * 86_400 })).toBe(
        MAX_RETRY_AFTER_SECONDS,
      );
      expect(MAX_RETRY_AFTER_SECONDS).toBe(6 * 3600);
    });

    it('caps a scaled Retry-After at 6 h scaled', () => {
      expect(
        nextRetryDelaySeconds(2, { random: middle, retryAfterSeconds: 30 * 86_400, timeScale: 0.001 }),
      ).toBe(21.6);
    });
    it('ignores a negative Retry-After', () => {
      expect(nextRetryDelaySeconds(1, { random: middle, retryAfterSeconds: -50 })).toBe(5);
    });

    it('scales every wait by timeScale, Retry-After included', () => {
      expect(nextRetryDelaySeconds(6, { random: middle, timeScale: 0.001 })).toBe(36);
      // Scaled waits keep millisecond precision, so short ones still grow instead of rounding to 0.
      expect(nextRetryDelaySeconds(1, { random: middle, timeScale: 0.001 })).toBe(0.005);
      expect(nextRetryDelaySeconds(2, { random: middle, timeScale: 0.001 })).toBe(0.3);
      expect(nextRetryDelaySeconds(1, { random: middle, retryAfterSeconds: 4000, timeScale: 0.01 })).toBe(40);
      expect(nextRetryDelaySeconds(2, { random: middle, timeScale: 2 })).toBe(600);
    });
  });

  describe('parseRetryAfter', () => {
    const now = new Date('2025-01-01T12:00:00Z');

    it.each([
      ['120', 120],
      [' 30 ', 30],
      ['0', 0],
      ['Wed, 01 Jan 2025 12:01:30 GMT', 90],
      ['Wed, 01 Jan 2025 11:00:00 GMT', 0],
    ] as const)('parses %j as %i s', (value, expected) => {
      expect(parseRetryAfter(value, now)).toBe(expected);
    });

    it.each([undefined, '', 'soon', '-5', '1.5', '2025-01-01T12:01:00Z', 'Wed, 99 Foo 2025 GMT'])(
      'returns undefined for %j',
      (value) => {
        expect(parseRetryAfter(value, now)).toBeUndefined();
      },
    );

    it('rounds a partial second up, so the wait is never shorter than asked', () => {
      expect(parseRetryAfter('Wed, 01 Jan 2025 12:00:10 GMT', new Date('2025-01-01T12:00:00.500Z'))).toBe(10);
    });
  });

  // Issue 9.6: a receiver answering 429/503 with a huge Retry-After must not push the workflow past
  // its timeout, where it would end TIMED_OUT in a Wait with nothing on the webhook DLQ.
  describe('the schedule fits inside the retry workflow', () => {
    it('worst case (every wait at its largest, every attempt at its allowance) < workflow timeout', () => {
      expect(worstCaseScheduleSeconds()).toBeLessThan(RETRY_WORKFLOW_TIMEOUT_SECONDS);
      // 5 waits at the 6 h cap, 2 at 10 h + 20 %, 8 attempts at 15 min: 56 h of 72.
      expect(worstCaseScheduleSeconds()).toBe(5 * 21_600 + 2 * 43_200 + 8 * 900);
    });

    it('any Retry-After answers and jitter: the waits plus attempt allowances stay within the worst case', () => {
      fc.assert(
        fc.property(
          fc.array(fc.option(fc.integer({ min: 0, max: 400 * 86_400 })), {
            minLength: RETRY_SCHEDULE_SECONDS.length,
            maxLength: RETRY_SCHEDULE_SECONDS.length,
          }),
          fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
            minLength: RETRY_SCHEDULE_SECONDS.length,
            maxLength: RETRY_SCHEDULE_SECONDS.length,
          }),
          (retryAfters, randoms) => {
            let total = 0;
            for (let failed = 1; failed < MAX_ATTEMPTS; failed++) {
              const retryAfter = retryAfters[failed - 1];
              const wait = nextRetryDelaySeconds(failed, {
                random: () => randoms[failed - 1]!,
                ...(retryAfter !== null && retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
              });
              expect(wait).toBeDefined();
              total += wait!;
            }
            expect(nextRetryDelaySeconds(MAX_ATTEMPTS)).toBeUndefined();
            const withAttempts = total + MAX_ATTEMPTS * ATTEMPT_ALLOWANCE_SECONDS;
            expect(withAttempts).toBeLessThanOrEqual(worstCaseScheduleSeconds());
            expect(withAttempts).toBeLessThan(RETRY_WORKFLOW_TIMEOUT_SECONDS);
          },
        ),
      );
    });
  });

  describe('nextRetryDelay says what set the wait', () => {
    it('the schedule, when Retry-After is absent or shorter than the jittered step', () => {
      expect(nextRetryDelay(2, { random: middle })).toEqual({ seconds: 300, reason: 'schedule' });
      expect(nextRetryDelay(2, { random: middle, retryAfterSeconds: 10 })).toEqual({
        seconds: 300,
        reason: 'schedule',
      });
    });

    it('the Retry-After, when longer (capped), with the same seconds as nextRetryDelaySeconds', () => {
      expect(nextRetryDelay(2, { random: middle, retryAfterSeconds: 900 })).toEqual({
        seconds: 900,
        reason: 'retry_after',
      });
      expect(nextRetryDelay(1, { random: middle, retryAfterSeconds: 10 * MAX_RETRY_AFTER_SECONDS })).toEqual({
        seconds: MAX_RETRY_AFTER_SECONDS,
        reason: 'retry_after',
      });
      expect(nextRetryDelay(2, { random: middle, retryAfterSeconds: 900 })?.seconds).toBe(
        nextRetryDelaySeconds(2, { random: middle, retryAfterSeconds: 900 }),
      );
      expect(nextRetryDelay(MAX_ATTEMPTS, { retryAfterSeconds: 900 })).toBeUndefined();
    });
  });
});
