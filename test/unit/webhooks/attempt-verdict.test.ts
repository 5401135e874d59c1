import { describe, expect, it } from 'vitest';
import { type AttemptAnswer, attemptVerdict } from '../../../lambdas/webhooks/attempt-verdict.js';
import { MAX_ATTEMPTS, RETRY_SCHEDULE_SECONDS } from '../../../lambdas/webhooks/backoff.js';

const at = new Date('2026-12-07T12:00:00Z');
// random() = 0.5 puts the jitter at exactly the scheduled wait.
const noJitter = { random: () => 0.5 };

describe('attemptVerdict', () => {
  describe('what an answer means (attempt 1, no jitter)', () => {
    it.each<[string, AttemptAnswer, ReturnType<typeof attemptVerdict>]>([
      ['200', { statusCode: 200 }, { outcome: 'delivered' }],
      ['204', { statusCode: 204 }, { outcome: 'delivered' }],
      [
        '503',
        { statusCode: 503 },
        { outcome: 'retry', waitSeconds: 5, waitReason: 'schedule', lastError: 'HTTP 503' },
      ],
      [
        '500',
        { statusCode: 500 },
        { outcome: 'retry', waitSeconds: 5, waitReason: 'schedule', lastError: 'HTTP 500' },
      ],
      [
        '429 with Retry-After 120',
        { statusCode: 429, retryAfter: '120' },
        { outcome: 'retry', waitSeconds: 120, waitReason: 'retry_after', lastError: 'HTTP 429' },
      ],
      [
        '500 with Retry-After 120 (not honoured on 500)',
        { statusCode: 500, retryAfter: '120' },
        { outcome: 'retry', waitSeconds: 5, waitReason: 'schedule', lastError: 'HTTP 500' },
      ],
      ['410 (no retry can fix it)', { statusCode: 410 }, { outcome: 'failed', lastError: 'HTTP 410' }],
      ['400', { statusCode: 400 }, { outcome: 'failed', lastError: 'HTTP 400' }],
      [
        'timeout',
        { errorClass: 'timeout' },
        { outcome: 'retry', waitSeconds: 5, waitReason: 'schedule', lastError: 'timeout' },
      ],
      [
        'connection refused',
        { errorClass: 'connection_refused' },
        { outcome: 'retry', waitSeconds: 5, waitReason: 'schedule', lastError: 'connection_refused' },
      ],
      [
        'forbidden address',
        { errorClass: 'forbidden_address' },
        { outcome: 'failed', lastError: 'forbidden_address' },
      ],
      ['invalid url', { errorClass: 'invalid_url' }, { outcome: 'failed', lastError: 'invalid_url' }],
      [
        'circuit open (spent without a POST)',
        { errorClass: 'circuit_open' },
        { outcome: 'retry', waitSeconds: 5, waitReason: 'schedule', lastError: 'circuit_open' },
      ],
      [
        'no answer at all',
        {},
        { outcome: 'retry', waitSeconds: 5, waitReason: 'schedule', lastError: 'network' },
      ],
    ])('%s', (_name, answer, expected) => {
      expect(attemptVerdict(answer, 1, at, noJitter)).toEqual(expected);
    });
  });

  it('follows the schedule attempt by attempt, then fails with retries_exhausted', () => {
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
      const verdict = attemptVerdict({ statusCode: 503 }, attempt, at, noJitter);
      expect(verdict.outcome).toBe('retry');
      expect(verdict.waitSeconds).toBe(RETRY_SCHEDULE_SECONDS[attempt - 1]);
    }
    expect(attemptVerdict({ statusCode: 503 }, MAX_ATTEMPTS, at, noJitter)).toEqual({
      outcome: 'failed',
      lastError: 'retries_exhausted: HTTP 503',
    });
  });

  it('a success on the last attempt is still delivered', () => {
    expect(attemptVerdict({ statusCode: 200 }, MAX_ATTEMPTS, at, noJitter)).toEqual({ outcome: 'delivered' });
  });

  it('scales waits for demos and tests', () => {
    expect(attemptVerdict({ statusCode: 503 }, 2, at, { ...noJitter, timeScale: 0.01 }).waitSeconds).toBe(3);
  });

  it('a Retry-After date in the past does not shorten the schedule', () => {
    const verdict = attemptVerdict(
      { statusCode: 503, retryAfter: 'Mon, 07 Dec 2026 11:00:00 GMT' },
      2,
      at,
      noJitter,
    );
    expect(verdict).toMatchObject({ outcome: 'retry', waitSeconds: 300, waitReason: 'schedule' });
  });
});
