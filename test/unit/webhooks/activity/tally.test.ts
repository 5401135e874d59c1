import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activitySeries } from '../../../../lambdas/api/routes/endpoint-activity.js';
import {
  type ActivityRow,
  FLUSH_INTERVAL_MS,
  flushDue,
  HOUR_MS,
  hourOf,
  newTally,
  noteBacklog,
  noteOutcome,
  restoreRows,
  takeRows,
} from '../../../../lambdas/webhooks/activity/tally.js';

const T0 = Date.parse('2026-12-07T15:10:00Z');
const H0 = hourOf(T0);

describe('tally: counting', () => {
  it('counts per endpoint and hour, and keeps the largest backlog reading of the hour', () => {
    const tally = newTally();
    noteOutcome(tally, 'ep_a', 'delivered', T0);
    noteOutcome(tally, 'ep_a', 'delivered', T0 + 1000);
    noteOutcome(tally, 'ep_a', 'failed', T0 + 2000);
    noteOutcome(tally, 'ep_b', 'failed', T0, 3);
    noteOutcome(tally, 'ep_a', 'delivered', T0 + HOUR_MS);
    noteBacklog(tally, 'ep_a', 40, T0);
    noteBacklog(tally, 'ep_a', 12, T0 + 5000);
    const rows = takeRows(tally, T0 + 10_000);
    expect(rows).toEqual([
      { endpointId: 'ep_a', hour: H0, delivered: 2, failed: 1, backlog: 40 },
      { endpointId: 'ep_b', hour: H0, delivered: 0, failed: 3 },
      { endpointId: 'ep_a', hour: H0 + 1, delivered: 1, failed: 0 },
    ]);
    expect(takeRows(tally, T0 + 20_000)).toEqual([]);
  });

  it('ignores nonsense readings (negative, NaN, n ≤ 0)', () => {
    const tally = newTally();
    noteBacklog(tally, 'ep_a', -1, T0);
    noteBacklog(tally, 'ep_a', Number.NaN, T0);
    noteOutcome(tally, 'ep_a', 'failed', T0, 0);
    expect(takeRows(tally, T0)).toEqual([]);
  });
});

describe('tally: when a flush is due', () => {
  it.each([
    ['nothing pending', false, 0, false],
    ['a new container with counts', true, undefined, true],
    ['59 s after the last flush, same hour', true, -59_000, false],
    ['60 s after the last flush', true, -60_000, true],
  ])('%s → %s', (_name, pending, lastOffset, due) => {
    const tally = newTally();
    const now = T0 + 120_000;
    if (lastOffset !== undefined) tally.lastFlushMs = now + lastOffset;
    if (pending) noteOutcome(tally, 'ep_a', 'delivered', now);
    expect(flushDue(tally, now)).toBe(due);
  });

  it('is due at once when counts belong to an hour that has ended', () => {
    const tally = newTally();
    const endOfHour = (H0 + 1) * HOUR_MS - 1000;
    takeRows(tally, endOfHour - 10_000);
    noteOutcome(tally, 'ep_a', 'delivered', endOfHour);
    expect(flushDue(tally, endOfHour + 500)).toBe(false);
    expect(flushDue(tally, endOfHour + 2000)).toBe(true);
  });
});

/** One step of a container's life: a note, a flush whose writes succeed, or one whose writes fail. */
type Step =
  | { kind: 'outcome'; ep: string; outcome: 'delivered' | 'failed'; dt: number }
  | { kind: 'backlog'; ep: string; count: number; dt: number }
  | { kind: 'flush'; ok: boolean; dt: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('outcome' as const),
    ep: fc.constantFrom('ep_a', 'ep_b', 'ep_c'),
    outcome: fc.constantFrom('delivered' as const, 'failed' as const),
    dt: fc.integer({ min: 0, max: 30 * 60_000 }),
  }),
  fc.record({
    kind: fc.constant('backlog' as const),
    ep: fc.constantFrom('ep_a', 'ep_b'),
    count: fc.integer({ min: 0, max: 1000 }),
    dt: fc.integer({ min: 0, max: 30 * 60_000 }),
  }),
  fc.record({
    kind: fc.constant('flush' as const),
    ok: fc.boolean(),
    dt: fc.integer({ min: 0, max: 120_000 }),
  }),
);

describe('tally: properties', () => {
  it('every noted outcome is written exactly once, in its hour, whatever the flush timing and failures', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 200 }), (steps) => {
        const tally = newTally();
        const expected = new Map<string, { delivered: number; failed: number; backlog?: number }>();
        const written = new Map<string, { delivered: number; failed: number; backlog?: number }>();
        const write = (rows: readonly ActivityRow[]) => {
          for (const row of rows) {
            const key = `${row.hour} ${row.endpointId}`;
            const w = written.get(key) ?? { delivered: 0, failed: 0 };
            w.delivered += row.delivered;
            w.failed += row.failed;
            // The store keeps the larger reading (a conditional SET).
            if (row.backlog !== undefined) w.backlog = Math.max(w.backlog ?? 0, row.backlog);
            written.set(key, w);
          }
        };
        let now = T0;
        for (const step of steps) {
          now += step.dt;
          if (step.kind === 'flush') {
            if (!flushDue(tally, now)) continue;
            const rows = takeRows(tally, now);
            if (step.ok) write(rows);
            else restoreRows(tally, rows);
            continue;
          }
          const key = `${hourOf(now)} ${step.ep}`;
          const e = expected.get(key) ?? { delivered: 0, failed: 0 };
          if (step.kind === 'outcome') {
            noteOutcome(tally, step.ep, step.outcome, now);
            e[step.outcome] += 1;
          } else {
            noteBacklog(tally, step.ep, step.count, now);
            e.backlog = Math.max(e.backlog ?? 0, step.count);
          }
          expected.set(key, e);
        }
        write(takeRows(tally, now));
        expect(Object.fromEntries(written)).toEqual(Object.fromEntries(expected));
      }),
    );
  });

  it('counts of the current hour never make a flush due within a minute of the last', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 59_999 }),
        fc.integer({ min: 0, max: HOUR_MS - 1 }),
        (gap, offset) => {
          const tally = newTally();
          const last = H0 * HOUR_MS + offset;
          takeRows(tally, last);
          const now = last + gap;
          noteOutcome(tally, 'ep_a', 'delivered', now);
          expect(flushDue(tally, now)).toBe(false);
          expect(flushDue(tally, last + FLUSH_INTERVAL_MS)).toBe(true);
        },
      ),
    );
  });
});

describe('activitySeries: the API rows', () => {
  it('answers every hour, oldest first, ending with the current one, zeros where nothing was stored', () => {
    const series = activitySeries(
      [
        { endpointId: 'ep_a', hour: H0 - 1, delivered: 5, failed: 1, backlog: 7 },
        { endpointId: 'ep_a', hour: H0, delivered: 2, failed: 0 },
      ],
      T0,
      3,
    );
    expect(series).toEqual([
      { hour: '2026-12-07T13:00:00Z', delivered: 0, failed: 0, backlog: 0 },
      { hour: '2026-12-07T14:00:00Z', delivered: 5, failed: 1, backlog: 7 },
      { hour: '2026-12-07T15:00:00Z', delivered: 2, failed: 0, backlog: 0 },
    ]);
  });
});
