import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EndpointHealth, HEALTHY } from '../../../../lambdas/shared/model.js';
import {
  type AttemptReport,
  admit,
  afterAttempt,
  type BreakerPolicy,
  healthView,
} from '../../../../lambdas/webhooks/health/breaker.js';

const POLICY: BreakerPolicy = { failureThreshold: 3, inlineTimeoutMs: 2_500, disableAfterMs: 60_000 };
const T0 = new Date('2026-12-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const fail = (ms: number, extra: Partial<{ timedOut: boolean; holdUntil: Date }> = {}): AttemptReport => ({
  ok: false,
  at: at(ms),
  timedOut: extra.timedOut ?? false,
  ...(extra.holdUntil ? { holdUntil: extra.holdUntil } : {}),
});
const ok = (ms: number, durationMs = 50): AttemptReport => ({ ok: true, at: at(ms), durationMs });

function run(reports: readonly AttemptReport[], start: EndpointHealth = HEALTHY) {
  let health = start;
  const notices: string[] = [];
  for (const report of reports) {
    const result = afterAttempt(health, report, POLICY);
    health = result.health;
    notices.push(...result.notices);
  }
  return { health, notices };
}

describe('breaker', () => {
  describe('transitions (table)', () => {
    it.each([
      {
        name: 'a success while healthy changes nothing',
        reports: [ok(0)],
        state: 'closed',
        streak: 0,
        notices: [],
      },
      {
        name: 'one fast failure counts, stays closed',
        reports: [fail(0)],
        state: 'closed',
        streak: 1,
        notices: [],
      },
      {
        name: 'a timeout opens at once',
        reports: [fail(0, { timedOut: true })],
        state: 'open',
        streak: 1,
        notices: [],
      },
      {
        name: 'the threshold opens and reports failing once',
        reports: [fail(0), fail(1), fail(2), fail(3)],
        state: 'open',
        streak: 4,
        notices: ['failing'],
      },
      {
        name: 'a quick success after failing closes and reports recovered',
        reports: [fail(0), fail(1), fail(2), ok(3)],
        state: 'closed',
        streak: 0,
        notices: ['failing', 'recovered'],
      },
      {
        name: 'a slow success resets the streak but keeps the inline lane shut',
        reports: [fail(0, { timedOut: true }), ok(1, 9_000)],
        state: 'open',
        streak: 0,
        notices: [],
      },
      {
        name: 'failing for the whole period disables once',
        reports: [fail(0), fail(30_000), fail(60_000), fail(61_000)],
        state: 'open',
        streak: 4,
        notices: ['failing', 'disable'],
      },
      {
        name: 'a success inside the period restarts it',
        reports: [fail(0), ok(30_000), fail(40_000), fail(90_000)],
        state: 'closed',
        streak: 2,
        notices: [],
      },
    ])('$name', ({ reports, state, streak, notices }) => {
      const result = run(reports);
      expect(result.health.state).toBe(state);
      expect(result.health.failureStreak).toBe(streak);
      expect(result.notices).toEqual(notices);
    });
  });

  describe('admit', () => {
    it('sends a closed endpoint inline and an open one to the workflow', () => {
      expect(admit(HEALTHY, T0)).toEqual({ lane: 'inline' });
      const open = run([fail(0, { timedOut: true })]).health;
      expect(admit(open, at(1))).toEqual({ lane: 'workflow', reason: 'open' });
    });

    it('holds the whole endpoint until Retry-After, then lets it go', () => {
      const held = run([fail(0, { holdUntil: at(10_000) })]).health;
      expect(admit(held, at(5_000))).toEqual({ lane: 'workflow', reason: 'held', notBefore: at(10_000) });
      expect(admit(held, at(10_000))).toEqual({ lane: 'inline' });
      expect(healthView(held, at(5_000)).status).toBe('held');
    });

    it('keeps the later of two holds', () => {
      const held = run([fail(0, { holdUntil: at(10_000) }), fail(1, { holdUntil: at(4_000) })]).health;
      expect(held.holdUntil).toBe(at(10_000).toISOString());
    });
  });

  it('ignores a failure whose POST started before the last recovery (a hang that outlived it)', () => {
    const recovered = run([fail(0, { timedOut: true }), ok(5_000)]).health;
    expect(recovered.recoveredAt).toBe(at(5_000).toISOString());
    const late: AttemptReport = { ok: false, at: at(16_000), startedAt: at(1_000), timedOut: true };
    expect(afterAttempt(recovered, late, POLICY)).toMatchObject({
      stale: true,
      health: recovered,
      notices: [],
    });
    const fresh: AttemptReport = { ok: false, at: at(16_000), startedAt: at(6_000), timedOut: true };
    expect(afterAttempt(recovered, fresh, POLICY).health.state).toBe('open');
  });

  it('marks streak-only failures as no transition (the store counts them with ADD)', () => {
    const open = run([fail(0), fail(1), fail(2)]).health;
    expect(afterAttempt(open, fail(3), POLICY).transition).toBe(false);
    expect(afterAttempt(HEALTHY, fail(0), POLICY).transition).toBe(false);
    expect(afterAttempt(HEALTHY, ok(0), POLICY).transition).toBe(false);
    expect(afterAttempt(open, ok(4), POLICY).transition).toBe(true);
  });

  describe('properties', () => {
    const report = fc.oneof(
      fc.record({ ok: fc.constant(true as const), durationMs: fc.integer({ min: 0, max: 20_000 }) }),
      fc.record({ ok: fc.constant(false as const), timedOut: fc.boolean() }),
    );
    const history = fc.array(fc.tuple(report, fc.integer({ min: 0, max: 20_000 })), { maxLength: 40 });
    type Step = [{ ok: true; durationMs: number } | { ok: false; timedOut: boolean }, number];
    const replay = (steps: readonly Step[]) => {
      let now = 0;
      return steps.map(([r, gap]) => {
        now += gap;
        return r.ok ? ok(now, r.durationMs) : fail(now, { timedOut: r.timedOut });
      });
    };

    it('the streak is the number of failures since the last success', () => {
      fc.assert(
        fc.property(history, (steps) => {
          const reports = replay(steps);
          const lastOk = reports.map((r) => r.ok).lastIndexOf(true);
          expect(run(reports).health.failureStreak).toBe(reports.length - 1 - lastOk);
        }),
      );
    });

    it('failing and recovered alternate, failing first; disable at most once', () => {
      fc.assert(
        fc.property(history, (steps) => {
          const { notices } = run(replay(steps));
          const pair = notices.filter((n) => n !== 'disable');
          expect(pair).toEqual(pair.map((_, i) => (i % 2 === 0 ? 'failing' : 'recovered')));
          expect(notices.filter((n) => n === 'disable').length).toBeLessThanOrEqual(1);
        }),
      );
    });

    it('the inline lane is open after a quick success and shut after a timeout', () => {
      fc.assert(
        fc.property(history, (steps) => {
          const reports = replay(steps);
          const last = reports.at(-1);
          if (last === undefined) return;
          const health = run(reports).health;
          if (last.ok && last.durationMs <= POLICY.inlineTimeoutMs) expect(health.state).toBe('closed');
          if (!last.ok && last.timedOut) expect(health.state).toBe('open');
        }),
      );
    });
  });
});
