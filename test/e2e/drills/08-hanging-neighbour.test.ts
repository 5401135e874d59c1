/**
 * Drill 8 — a hanging neighbour: tenant B's endpoint accepts connections and never answers while
 * tenant A's endpoint is healthy. A's latency is measured alone and beside B (reported, not asserted:
 * the target is max(2 s, 3 × A's p99 alone), adrs/0007); nothing is lost for either; B's breaker opens
 * while it hangs and closes after it recovers, and every one of B's deliveries still arrives.
 */
import { describe, expect, it } from 'vitest';
import { fmt, runNeighbourScenario } from '../support/neighbours.js';
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
    const target = Math.max(2_000, 3 * run.alone.p99);
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
      observed: `A alone ${fmt(run.alone)}; A beside B ${fmt(run.withNeighbour)}; A accepted ${run.healthyAccepted}/${run.healthyEvents} (${run.healthyRepeats} repeats after ${run.healthyTimeouts} sender-side timeouts); B health while hanging ${run.neighbourHealthDuring?.status}/${run.neighbourHealthDuring?.breaker} (${run.neighbourHealthDuring?.openReason ?? '-'}), after ${run.neighbourHealthAfter?.status}/${run.neighbourHealthAfter?.breaker}; B delivered ${run.neighbourDelivered}/${run.neighbourEvents} (${run.neighbourAttempts} attempts) ${run.neighbourCatchUpMs} ms after recovery`,
      counts: {
        aloneP50Ms: run.alone.p50,
        aloneP99Ms: run.alone.p99,
        withNeighbourP50Ms: run.withNeighbour.p50,
        withNeighbourP99Ms: run.withNeighbour.p99,
        withNeighbourMaxMs: run.withNeighbour.max,
        targetMs: target,
        healthyAccepted: run.healthyAccepted,
        healthyRepeats: run.healthyRepeats,
        healthyTimeouts: run.healthyTimeouts,
        neighbourDelivered: run.neighbourDelivered,
        neighbourAttempts: run.neighbourAttempts,
      },
    });

    expect(run.healthyAccepted).toBe(run.healthyEvents);
    // At-least-once: a repeat only where the sender gave up on a POST that still arrived.
    expect(run.healthyRepeats).toBeLessThanOrEqual(run.healthyTimeouts);
    expect(run.neighbourHealthDuring?.breaker).toBe('open');
    expect(run.neighbourDelivered).toBe(run.neighbourEvents);
    expect(run.neighbourAccepted).toBe(run.neighbourEvents);
    expect(run.neighbourHealthAfter).toMatchObject({
      status: 'healthy',
      breaker: 'closed',
      failureStreak: 0,
    });
  });
});
