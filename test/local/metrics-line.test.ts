import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IDLE_LINE_INTERVAL_MS, type MetricsLineState, metricsLineDecision } from '../../local/metrics.js';

describe('metricsLineDecision', () => {
  it.each<[string, MetricsLineState, string, number, boolean]>([
    ['first line ever', {}, 'a', 0, true],
    ['unchanged, 5 s later', { lastLine: 'a', lastPrintedAt: 0 }, 'a', 5_000, false],
    ['unchanged, 29.999 s later', { lastLine: 'a', lastPrintedAt: 0 }, 'a', 29_999, false],
    ['unchanged, 30 s later', { lastLine: 'a', lastPrintedAt: 0 }, 'a', 30_000, true],
    ['changed, 5 s later', { lastLine: 'a', lastPrintedAt: 0 }, 'b', 5_000, true],
  ])('%s → print %s', (_case, state, line, now, print) => {
    const decision = metricsLineDecision(state, line, now);
    expect(decision.print).toBe(print);
    expect(decision.state).toEqual(print ? { lastLine: line, lastPrintedAt: now } : state);
  });

  it('an idle runtime, ticking every 5 s for an hour, prints once every 30 s (and the first time)', () => {
    let state: MetricsLineState = {};
    let printed = 0;
    for (let now = 0; now < 3_600_000; now += 5_000) {
      const decision = metricsLineDecision(state, 'idle', now);
      state = decision.state;
      if (decision.print) printed += 1;
    }
    expect(printed).toBe(3_600_000 / IDLE_LINE_INTERVAL_MS);
  });

  it('prints every change, and never an unchanged line twice within the idle interval', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 1, max: 40_000 }))),
        (ticks) => {
          let state: MetricsLineState = {};
          let now = 0;
          for (const [line, step] of ticks) {
            now += step;
            const before = state;
            const decision = metricsLineDecision(state, line, now);
            state = decision.state;
            if (line !== before.lastLine) expect(decision.print).toBe(true);
            else if (decision.print)
              expect(now - (before.lastPrintedAt ?? 0)).toBeGreaterThanOrEqual(IDLE_LINE_INTERVAL_MS);
          }
        },
      ),
    );
  });
});
