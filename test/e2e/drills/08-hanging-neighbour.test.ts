/**
 * Drill 8 — a hanging neighbour: tenant B's endpoint accepts connections and never answers while
 * tenant A's endpoint is healthy. A's latency is measured alone and beside B (reported, not asserted:
 * the target is max(2 s, 3 × A's p99 alone), adrs/0007); nothing is lost for either; B's breaker opens
 * while it hangs and closes after it recovers, and every one of B's deliveries still arrives.
 */
import { describe, expect, it } from 'vitest';
import {
  expectNothingLost,
  fmt,
  latencyTargetMs,
  neighbourObservation,
  runNeighbourScenario,
} from '../support/neighbours.js';
import { hang } from '../support/receiver.js';
import { record } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable } from '../support/target.js';

const ctx = useHerald({ timeScale: 0.001 });
const DRILL = '8 hanging neighbour';
const skip = receiverUnreachable(DRILL);
const HEALTHY_EVENTS = 60;
const NEIGHBOUR_EVENTS = 12;
const INTERVAL_MS = 100;
/** The neighbour's events spread over the healthy tenant's measured phase. */
const NEIGHBOUR_INTERVAL_MS = 500;

describe.skipIf(skip)(DRILL, () => {
  it('a neighbour that hangs: the healthy tenant keeps its latency, nothing is lost for either', {
    timeout: 600_000,
  }, async () => {
    const run = await runNeighbourScenario(ctx.api, ctx.receiver, {
      label: 'hang',
      behaviour: hang(),
      healthyEvents: HEALTHY_EVENTS,
      neighbourEvents: NEIGHBOUR_EVENTS,
      intervalMs: INTERVAL_MS,
      neighbourIntervalMs: NEIGHBOUR_INTERVAL_MS,
    });
    const target = latencyTargetMs(run);
    console.info(
      `[drill 8] healthy alone: ${fmt(run.alone)}; beside a hanging neighbour: ${fmt(run.withNeighbour)}; target ≤ ${target} ms`,
    );
    console.info(
      `[drill 8] neighbour health during: ${JSON.stringify(run.neighbourHealthDuring)}; after: ${JSON.stringify(run.neighbourHealthAfter)}; caught up in ${run.neighbourCatchUpMs} ms`,
    );
    record({
      drill: DRILL,
      case: 'a neighbour that hangs: the healthy tenant keeps its latency, nothing is lost for either',
      injected: `tenant A: ${HEALTHY_EVENTS} events alone, then ${HEALTHY_EVENTS} more while tenant B's endpoint hangs (accepts, never answers) under ${NEIGHBOUR_EVENTS} events (A every ${INTERVAL_MS} ms, B every ${NEIGHBOUR_INTERVAL_MS} ms); then B recovers`,
      expected: `A: every event accepted (a repeat only after a sender-side timeout), latency within max(2 s, 3 × p99 alone) = ${target} ms (reported); B: breaker open while hanging, every delivery arrives after recovery, breaker closed`,
      ...neighbourObservation(run, 'hanging'),
    });

    expect(run.neighbourHealthDuring?.breaker).toBe('open');
    expectNothingLost(run);
  });
});
