import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RETRY_SCHEDULE_SECONDS } from '../../../../lambdas/webhooks/backoff.js';
import {
  backlogView,
  type DrainPolicy,
  judgeStep,
  probeDelaySeconds,
  type StepAnswers,
  splitExpired,
  stepSize,
} from '../../../../lambdas/webhooks/recovery/drain-plan.js';

const POLICY: DrainPolicy = { initialRate: 2, maxRate: 50, concurrency: 10, slowMs: 1000 };
const answers = (a: Partial<StepAnswers>): StepAnswers => ({
  sent: 0,
  delivered: 0,
  slow: 0,
  throttled: 0,
  failed: 0,
  ...a,
});

describe('judgeStep: the drain ramp', () => {
  it('doubles while a full step answers fast 2xx, up to the ceiling', () => {
    expect(judgeStep(2, answers({ sent: 2, delivered: 2 }), POLICY)).toEqual({ next: 'drain', rate: 4 });
    expect(judgeStep(40, answers({ sent: 40, delivered: 40 }), POLICY)).toEqual({ next: 'drain', rate: 50 });
  });

  it('never passes the endpoint rateLimit', () => {
    expect(judgeStep(5, answers({ sent: 5, delivered: 5 }), POLICY, 5)).toEqual({ next: 'drain', rate: 5 });
  });

  it('halves on a 429/503, a slow answer or a failure among successes', () => {
    expect(judgeStep(8, answers({ sent: 8, delivered: 7, throttled: 1 }), POLICY)).toEqual({
      next: 'drain',
      rate: 4,
    });
    expect(judgeStep(8, answers({ sent: 8, delivered: 8, slow: 1 }), POLICY)).toEqual({
      next: 'drain',
      rate: 4,
    });
    expect(judgeStep(1, answers({ sent: 1, delivered: 1, slow: 1 }), POLICY)).toEqual({
      next: 'drain',
      rate: 1,
    });
  });

  it('holds for a Retry-After, and goes back to probing when nothing gets through', () => {
    expect(
      judgeStep(8, answers({ sent: 8, delivered: 6, throttled: 2, retryAfterSeconds: 30 }), POLICY),
    ).toEqual({
      next: 'hold',
      rate: 4,
      seconds: 30,
    });
    expect(judgeStep(8, answers({ sent: 3, throttled: 3, retryAfterSeconds: 10 }), POLICY)).toMatchObject({
      next: 'hold',
      seconds: 10,
    });
    expect(judgeStep(8, answers({ sent: 4, failed: 4 }), POLICY)).toEqual({ next: 'probe' });
  });

  it('keeps the rate when a step had fewer deliveries than its rate (the backlog ran short)', () => {
    expect(judgeStep(8, answers({ sent: 3, delivered: 3 }), POLICY)).toEqual({ next: 'drain', rate: 8 });
  });

  it('stepSize is the rateLimit when there is one, else the ramp', () => {
    expect(stepSize(7.9, undefined)).toBe(7);
    expect(stepSize(7.9, 3)).toBe(3);
    expect(stepSize(0.2, undefined)).toBe(1);
  });
});

describe('probeDelaySeconds', () => {
  it('follows the retry schedule, capped, never under a Retry-After, scaled', () => {
    expect(probeDelaySeconds(1, { timeScale: 1, maxSeconds: 3600 })).toBe(RETRY_SCHEDULE_SECONDS[0]);
    expect(probeDelaySeconds(3, { timeScale: 1, maxSeconds: 3600 })).toBe(RETRY_SCHEDULE_SECONDS[2]);
    expect(probeDelaySeconds(50, { timeScale: 1, maxSeconds: 3600 })).toBe(3600);
    expect(probeDelaySeconds(1, { timeScale: 1, maxSeconds: 3600, retryAfterSeconds: 120 })).toBe(120);
    expect(probeDelaySeconds(2, { timeScale: 0.01, maxSeconds: 3600 })).toBeCloseTo(3);
  });
});

describe('backlogView', () => {
  it('shows the oldest and draining only while something waits', () => {
    expect(backlogView({ count: 0, draining: true, drained: 3, expired: 1, oldestAt: 'x' })).toEqual({
      count: 0,
      draining: false,
      expired: 1,
    });
    expect(
      backlogView({ count: 2, draining: true, drained: 0, expired: 0, oldestAt: '2026-01-01T00:00:00Z' }),
    ).toEqual({
      count: 2,
      oldestAt: '2026-01-01T00:00:00Z',
      draining: true,
      expired: 0,
    });
  });
});

/**
 * A model of one backlog under a recovery: parked deliveries arrive over time, steps expire the old
 * ones and send one step's worth of the rest (each answered delivered, retried or refused at random).
 * Whatever the answers, every parked delivery ends exactly once — delivered or expired (or handed on
 * to its own retries / the DLQ, which take it out of the backlog) — and each step sends the oldest.
 */
describe('every parked delivery is delivered or expired exactly once', () => {
  it('holds for any arrivals, answers and lifetimes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.constantFrom('ok', 'ok', 'ok', 'slow', '429', '500', 'refused'), {
          minLength: 200,
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 30 }),
        fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
        (arrivalsPerTick, answerStream, lifetime, rateLimit) => {
          const ended = new Map<number, string>();
          let queue: Array<{ id: number; parkedAt: string }> = [];
          let nextId = 0;
          const initial = Math.min(POLICY.initialRate, rateLimit ?? POLICY.initialRate);
          let rate = initial;
          let answerAt = 0;
          const tickMs = 1000;
          const totalTicks = arrivalsPerTick.length + lifetime + 200;
          for (let tick = 0; tick < totalTicks; tick++) {
            const now = new Date(tick * tickMs);
            for (let k = 0; k < (arrivalsPerTick[tick] ?? 0); k++) {
              queue.push({ id: nextId++, parkedAt: now.toISOString() });
            }
            const { expired, live } = splitExpired(queue, now, lifetime);
            for (const e of expired) {
              expect(ended.has(e.id)).toBe(false);
              ended.set(e.id, 'expired');
            }
            queue = live;
            const batch = queue.slice(0, stepSize(rate, rateLimit));
            if (batch.length === 0) continue;
            // Oldest first: nothing left waiting is older than what this step sends.
            const newestSent = Math.max(...batch.map((e) => Date.parse(e.parkedAt)));
            const waiting = queue.slice(batch.length);
            if (waiting.length > 0)
              expect(Date.parse(waiting[0]!.parkedAt)).toBeGreaterThanOrEqual(newestSent);
            const result = { sent: 0, delivered: 0, slow: 0, throttled: 0, failed: 0 };
            const stay: typeof queue = [];
            for (const entry of batch) {
              const answer = answerStream[answerAt++ % answerStream.length]!;
              result.sent += 1;
              if (answer === 'ok' || answer === 'slow') {
                result.delivered += 1;
                if (answer === 'slow') result.slow += 1;
                ended.set(entry.id, 'delivered');
              } else if (answer === 'refused') {
                ended.set(entry.id, 'dead-lettered');
              } else {
                if (answer === '429') result.throttled += 1;
                else result.failed += 1;
                stay.push(entry);
              }
            }
            const verdict = judgeStep(rate, result, POLICY, rateLimit);
            // A step where something got through hands the failures on; otherwise they stay at the head.
            if (result.delivered > 0) {
              for (const entry of stay) ended.set(entry.id, 'own-retries');
              queue = queue.slice(batch.length);
            } else {
              queue = [...stay, ...queue.slice(batch.length)];
            }
            rate = verdict.next === 'probe' ? initial : verdict.rate;
            expect(rate).toBeGreaterThanOrEqual(1);
            expect(rate).toBeLessThanOrEqual(Math.min(POLICY.maxRate, rateLimit ?? Number.POSITIVE_INFINITY));
          }
          expect(queue).toEqual([]);
          expect(ended.size).toBe(nextId);
        },
      ),
      { numRuns: 200 },
    );
  });
});
