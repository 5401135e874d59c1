/**
 * Drill 9 — a failing neighbour: tenant B's endpoint answers 500 to every attempt while
 * tenant A's endpoint is healthy. A's latency is measured alone and beside B (reported, not asserted:
 * the target is max(2 s, 3 × A's p99 alone), adrs/0007); nothing is lost for either; B's breaker opens
 * (its failure streak reaches the threshold) and closes after it recovers, and every one of B's deliveries still arrives.
 */
import { describe, expect, it } from 'vitest';
import {
  expectNothingLost,
  fmt,
  latencyTargetMs,
  neighbourObservation,
  runNeighbourScenario,
} from '../support/neighbours.js';
import { status } from '../support/receiver.js';
import { record } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable } from '../support/target.js';

const ctx = useHerald({ timeScale: 0.001 });
const DRILL = '9 failing neighbour';
const skip = receiverUnreachable(DRILL);
const HEALTHY_EVENTS = 60;
const NEIGHBOUR_EVENTS = 12;
const INTERVAL_MS = 100;
/** The neighbour's events spread over the healthy tenant's measured phase. */
const NEIGHBOUR_INTERVAL_MS = 500;

describe.skipIf(skip)(DRILL, () => {
  it('a neighbour that fails every attempt: the healthy tenant keeps its latency, nothing is lost for either', {
    timeout: 600_000,
  }, async () => {
    const run = await runNeighbourScenario(ctx.api, ctx.receiver, {
      label: 'fail',
      behaviour: status(500),
      healthyEvents: HEALTHY_EVENTS,
      neighbourEvents: NEIGHBOUR_EVENTS,
      intervalMs: INTERVAL_MS,
      neighbourIntervalMs: NEIGHBOUR_INTERVAL_MS,
    });
    const target = latencyTargetMs(run);
    console.info(
      `[drill 9] healthy alone: ${fmt(run.alone)}; beside a failing neighbour: ${fmt(run.withNeighbour)}; target ≤ ${target} ms`,
    );
    console.info(
      `[drill 9] neighbour health during: ${JSON.stringify(run.neighbourHealthDuring)}; after: ${JSON.stringify(run.neighbourHealthAfter)}; caught up in ${run.neighbourCatchUpMs} ms`,
    );
    record({
      drill: DRILL,
      case: 'a neighbour that fails every attempt: the healthy tenant keeps its latency, nothing is lost for either',
      injected: `tenant A: ${HEALTHY_EVENTS} events alone, then ${HEALTHY_EVENTS} more while tenant B's endpoint answers 500 under ${NEIGHBOUR_EVENTS} events (A every ${INTERVAL_MS} ms, B every ${NEIGHBOUR_INTERVAL_MS} ms); then B recovers`,
      expected: `A: every event accepted (a repeat only after a sender-side timeout), latency within max(2 s, 3 × p99 alone) = ${target} ms (reported); B: breaker open and status failing while it fails, every delivery arrives after recovery, breaker closed`,
      ...neighbourObservation(run, 'failing'),
    });

    // Open on the failure streak — or sooner, on a timeout, when a loaded machine slows the 500s past 1 s.
    expect(run.neighbourHealthDuring).toMatchObject({ breaker: 'open', status: 'failing' });
    expectNothingLost(run);
  });
});
