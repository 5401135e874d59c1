import { describe, expect, it } from 'vitest';
import type { CpuUsage } from '../../bench/herald/cpu.js';
import {
  compareFilterRuns,
  type FilterThroughputResult,
  type FilterWindow,
  renderFilterThroughput,
} from '../../bench/herald/filters-report.js';

const cpu = (total: number, dispatch: number): CpuUsage => ({
  wallSeconds: 10,
  byProcess: { runtime: total },
  byThread: { 'fn:WebhooksDisp': dispatch, MainThread: total - dispatch },
  total,
});

/** 4 endpoints, 10 s windows: `events` per second is deliveries ÷ 4 ÷ 10. */
const window = (filtered: boolean, round: number, eventsPerSecond: number, total = 1.8): FilterWindow => ({
  filtered,
  round,
  seconds: 10,
  deliveries: eventsPerSecond * 4 * 10,
  accepted: eventsPerSecond * 10,
  completed: true,
  cpu: cpu(total, 0.6),
});

const result = (windows: FilterWindow[]): FilterThroughputResult => ({
  endpoints: 4,
  filter: { data: { phase: [{ 'anything-but': ['probe'] }] } },
  warmUpSeconds: 30,
  windowSeconds: 10,
  rounds: 3,
  control: false,
  probe: { filteredOut: 4, deliveredToFiltered: 0 },
  evaluateMicros: 0.3,
  windows,
  loadAverageAtStart: [1, 1, 1],
  loadAverageAtEnd: [2, 2, 2],
});

describe('compareFilterRuns', () => {
  it('takes medians per configuration and counts events as receipts ÷ endpoints', () => {
    const c = compareFilterRuns(
      result([
        window(false, 1, 50),
        window(true, 1, 52),
        window(true, 2, 48),
        window(false, 2, 60),
        window(false, 3, 55),
        window(true, 3, 54),
      ]),
    );
    expect(c.without.eventsPerSecond).toEqual([50, 60, 55]);
    expect(c.without.median.eventsPerSecond).toBe(55);
    expect(c.with.median.eventsPerSecond).toBe(52);
    expect(c.without.median.deliveriesPerSecond).toBe(220);
    // 1.8 cores × 10 s ÷ 550 events, and the dispatch thread's share of it.
    expect(c.without.median.cpuMsPerEvent).toBe(32.73);
    expect(c.without.median.threadMsPerEvent['fn:WebhooksDisp']).toBe(10.91);
    expect(c.throughputChangePercent).toBe(-5.5);
    expect(c.spreadWithoutPercent).toBe(18.2);
    expect(c.withinSpread).toBe(true);
    expect(c.pairedChangesPercent).toEqual([4, -20, -1.8]);
    expect(c.sameSignEveryRound).toBe(false);
  });

  it('calls a change of one sign in every round one, even inside the spread', () => {
    const c = compareFilterRuns(
      result([
        window(false, 1, 50),
        window(true, 1, 45),
        window(true, 2, 70),
        window(false, 2, 80),
        window(false, 3, 60),
        window(true, 3, 58),
      ]),
    );
    expect(c.withinSpread).toBe(true);
    expect(c.sameSignEveryRound).toBe(true);
  });

  it('calls a change larger than the spread of the windows without filters one', () => {
    const c = compareFilterRuns(
      result([window(false, 1, 100), window(true, 1, 70), window(true, 2, 72), window(false, 2, 101)]),
    );
    expect(c.withinSpread).toBe(false);
  });
});

describe('renderFilterThroughput', () => {
  it('says the machine was shared, shows every window and the verdict', () => {
    const text = renderFilterThroughput(
      result([window(false, 1, 50), window(true, 1, 51), window(true, 2, 49), window(false, 2, 52)]),
      '2 × test cpu',
      '2026-01-01',
    );
    expect(text).toContain('**The machine was shared**');
    expect(text).toContain('| without filters | 50, 52 | 51 |');
    expect(text).toContain('| with filters | 51, 49 | 50 |');
    expect(text).toContain('fn:WebhooksDisp CPU ms per event');
    expect(text).toContain('no difference measurable here');
    expect(text).toContain('reached 0 filtered endpoints and counted 4');
    expect(text).toContain('Filter: `{"data"');
  });

  it('labels an A/A control run as such, without a filter or a probe', () => {
    const { probe: _, ...rest } = result([
      window(false, 1, 50),
      window(true, 1, 51),
      window(true, 2, 49),
      window(false, 2, 52),
    ]);
    const text = renderFilterThroughput({ ...rest, control: true }, '2 × test cpu', '2026-01-01');
    expect(text).toContain('**A/A control**');
    expect(text).toContain('| tenant B, no filters either (A/A control) | 51, 49 |');
    expect(text).not.toContain('Filter:');
    expect(text).not.toContain('probe');
  });
});
