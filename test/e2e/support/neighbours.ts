/**
 * Helpers for the isolation drills (08–11): publish at a steady pace, read delivery latency at the
 * receiver (arrival of the first 2xx − the event's createdAt), summarise it, and read an endpoint's
 * health through the public API.
 */
import { expect } from 'vitest';
import type { HeraldApi } from './api.js';
import {
  createEndpoint,
  deliveriesOf,
  expectStatus,
  type PublishedEvent,
  publishOk,
  uniqueTenant,
} from './fixtures.js';
import { type Behaviour, ok, type TestReceiver } from './receiver.js';
import { percentile } from './report.js';
import { pause, waitUntil } from './wait.js';

interface LatencySummary {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Publishes `count` events of `type` for `tenantId`, one every `intervalMs` (not waiting for delivery). */
async function publishPaced(
  api: HeraldApi,
  input: { tenantId: string; type: string; count: number; intervalMs: number; label: string },
): Promise<PublishedEvent[]> {
  const events: PublishedEvent[] = [];
  const started = Date.now();
  for (let n = 0; n < input.count; n++) {
    const due = started + n * input.intervalMs;
    if (due > Date.now()) await pause(due - Date.now());
    events.push(
      await publishOk(api, { type: input.type, tenantId: input.tenantId, data: { n, label: input.label } }),
    );
  }
  return events;
}

/** Receiver-side latency of each event that was accepted at `name` (ms), in event order. */
function latenciesMs(receiver: TestReceiver, name: string, events: readonly PublishedEvent[]): number[] {
  const firstAccepted = new Map<string, number>();
  for (const r of receiver.accepted(name)) {
    if (r.webhookId !== undefined && !firstAccepted.has(r.webhookId)) firstAccepted.set(r.webhookId, r.at);
  }
  return events
    .filter((e) => firstAccepted.has(e.id))
    .map((e) => firstAccepted.get(e.id)! - Date.parse(e.createdAt));
}

function summarise(latencies: readonly number[]): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

interface HealthView {
  readonly status: string;
  readonly breaker: string;
  readonly failureStreak: number;
  readonly failingSince?: string;
  readonly openReason?: string;
  readonly heldUntil?: string;
}

interface EndpointView {
  readonly id: string;
  readonly enabled: boolean;
  readonly disabledReason?: string;
  readonly disabledAt?: string;
  readonly health?: HealthView;
}

async function endpointView(api: HeraldApi, id: string): Promise<EndpointView> {
  return expectStatus('read endpoint', await api.get<EndpointView>(`/v1/endpoints/${id}`), 200);
}

interface NeighbourRun {
  readonly alone: LatencySummary;
  readonly withNeighbour: LatencySummary;
  /** Healthy events accepted at least once (all of them, or something was lost). */
  readonly healthyAccepted: number;
  /** Repeats at the healthy receiver, and the sender-side timeouts that explain them (at-least-once). */
  readonly healthyRepeats: number;
  readonly healthyTimeouts: number;
  readonly healthyEvents: number;
  readonly neighbourEvents: number;
  /** The neighbour's health while it misbehaved, and after it recovered and caught up. */
  readonly neighbourHealthDuring: HealthView | undefined;
  readonly neighbourHealthAfter: HealthView | undefined;
  readonly neighbourDelivered: number;
  readonly neighbourAccepted: number;
  /** Neighbour attempts numbered 1 whose duration shows the short inline timeout, i.e. made inline. */
  readonly neighbourAttempts: number;
  readonly neighbourCatchUpMs: number;
}

/**
 * The isolation scenario: a healthy tenant's latency alone, then again while another tenant's
 * endpoint misbehaves (`behaviour`) at the same event rate; then the neighbour recovers and every one
 * of its deliveries must still arrive (the retry schedule). Timing is measured and reported, not asserted.
 */
async function runNeighbourScenario(
  api: HeraldApi,
  receiver: TestReceiver,
  options: {
    label: string;
    behaviour: Behaviour;
    healthyEvents: number;
    neighbourEvents: number;
    intervalMs: number;
    /** @default intervalMs */
    neighbourIntervalMs?: number;
  },
): Promise<NeighbourRun> {
  const healthyName = `${options.label}-healthy`;
  const neighbourName = `${options.label}-neighbour`;
  const healthyTenant = uniqueTenant(`${options.label}a`);
  const neighbourTenant = uniqueTenant(`${options.label}b`);
  const type = 'ping.sent';
  await createEndpoint(api, { tenantId: healthyTenant, url: receiver.url(healthyName), eventTypes: [type] });
  const neighbour = await createEndpoint(api, {
    tenantId: neighbourTenant,
    url: receiver.url(neighbourName),
    eventTypes: [type],
  });
  const allAccepted = (name: string, events: readonly PublishedEvent[]) =>
    waitUntil(
      () => new Set(receiver.accepted(name).map((r) => r.webhookId)),
      (ids) => events.every((e) => ids.has(e.id)),
      { timeoutMs: 180_000, intervalMs: 100, description: `every ${name} event accepted` },
    );

  // Warm-up (JIT, worker start), not measured.
  await allAccepted(
    healthyName,
    await publishPaced(api, { tenantId: healthyTenant, type, count: 10, intervalMs: 50, label: 'warm' }),
  );
  const aloneEvents = await publishPaced(api, {
    tenantId: healthyTenant,
    type,
    count: options.healthyEvents,
    intervalMs: options.intervalMs,
    label: 'alone',
  });
  await allAccepted(healthyName, aloneEvents);
  const alone = summarise(latenciesMs(receiver, healthyName, aloneEvents));

  receiver.setDefault(neighbourName, options.behaviour);
  const [withEvents, neighbourEvents] = await Promise.all([
    publishPaced(api, {
      tenantId: healthyTenant,
      type,
      count: options.healthyEvents,
      intervalMs: options.intervalMs,
      label: 'with',
    }),
    publishPaced(api, {
      tenantId: neighbourTenant,
      type,
      count: options.neighbourEvents,
      intervalMs: options.neighbourIntervalMs ?? options.intervalMs,
      label: 'bad',
    }),
  ]);
  await allAccepted(healthyName, withEvents);
  const withNeighbour = summarise(latenciesMs(receiver, healthyName, withEvents));
  const neighbourHealthDuring = (await endpointView(api, neighbour.id)).health;
  // Printed now, so a run that fails later still shows them.
  console.info(
    `[${options.label}] healthy alone: ${fmt(alone)}; beside the neighbour: ${fmt(withNeighbour)}`,
  );

  receiver.setDefault(neighbourName, ok);
  const recoveredAt = Date.now();
  const histories = await waitUntil(
    () => Promise.all(neighbourEvents.map((e) => deliveriesOf(api, e.id))),
    (all) => all.every((h) => h.deliveries[0]?.state === 'delivered'),
    { timeoutMs: 360_000, intervalMs: 500, description: 'every neighbour delivery delivered after recovery' },
  );
  const neighbourCatchUpMs = Date.now() - recoveredAt;
  const neighbourHealthAfter = (await endpointView(api, neighbour.id)).health;

  const acceptedAtLeastOnce = (name: string, events: readonly PublishedEvent[]) => {
    const accepted = new Set(receiver.accepted(name).map((r) => r.webhookId));
    return events.filter((e) => accepted.has(e.id)).length;
  };
  const healthyAll = [...aloneEvents, ...withEvents];
  const healthyHistories = await Promise.all(healthyAll.map((e) => deliveriesOf(api, e.id)));
  const healthyIds = new Set(healthyAll.map((e) => e.id));
  const healthyReceived = receiver.accepted(healthyName).filter((r) => healthyIds.has(r.webhookId ?? ''));
  return {
    alone,
    withNeighbour,
    healthyAccepted: acceptedAtLeastOnce(healthyName, healthyAll),
    healthyRepeats: healthyReceived.length - new Set(healthyReceived.map((r) => r.webhookId)).size,
    healthyTimeouts: healthyHistories.flatMap((h) => h.attempts).filter((a) => a.errorClass === 'timeout')
      .length,
    healthyEvents: healthyAll.length,
    neighbourEvents: neighbourEvents.length,
    neighbourHealthDuring,
    neighbourHealthAfter,
    neighbourDelivered: histories.filter((h) => h.deliveries[0]?.state === 'delivered').length,
    neighbourAccepted: acceptedAtLeastOnce(neighbourName, neighbourEvents),
    neighbourAttempts: histories.reduce((n, h) => n + h.attempts.length, 0),
    neighbourCatchUpMs,
  };
}

const fmt = (s: LatencySummary) => `p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms (n=${s.n})`;

/** The isolation target: within max(2 s, 3 × the healthy tenant's p99 alone), adrs/0007. */
const latencyTargetMs = (run: NeighbourRun): number => Math.max(2_000, 3 * run.alone.p99);

/** What the neighbour drills record of a run; `trouble` names B's trouble ("hanging", "failing"). */
function neighbourObservation(run: NeighbourRun, trouble: string) {
  const during = run.neighbourHealthDuring;
  const after = run.neighbourHealthAfter;
  return {
    observed: `A alone ${fmt(run.alone)}; A beside B ${fmt(run.withNeighbour)}; A accepted ${run.healthyAccepted}/${run.healthyEvents} (${run.healthyRepeats} repeats after ${run.healthyTimeouts} sender-side timeouts); B health while ${trouble} ${during?.status}/${during?.breaker} (${during?.openReason ?? '-'}), after ${after?.status}/${after?.breaker}; B delivered ${run.neighbourDelivered}/${run.neighbourEvents} (${run.neighbourAttempts} attempts) ${run.neighbourCatchUpMs} ms after recovery`,
    counts: {
      aloneP50Ms: run.alone.p50,
      aloneP99Ms: run.alone.p99,
      withNeighbourP50Ms: run.withNeighbour.p50,
      withNeighbourP99Ms: run.withNeighbour.p99,
      withNeighbourMaxMs: run.withNeighbour.max,
      targetMs: latencyTargetMs(run),
      healthyAccepted: run.healthyAccepted,
      healthyRepeats: run.healthyRepeats,
      healthyTimeouts: run.healthyTimeouts,
      neighbourDelivered: run.neighbourDelivered,
      neighbourAttempts: run.neighbourAttempts,
    },
  };
}

/** What every neighbour drill asserts: nothing lost for either tenant, and B healthy again after. */
function expectNothingLost(run: NeighbourRun): void {
  expect(run.healthyAccepted).toBe(run.healthyEvents);
  // At-least-once: a repeat only where the sender gave up on a POST that still arrived.
  expect(run.healthyRepeats).toBeLessThanOrEqual(run.healthyTimeouts);
  expect(run.neighbourDelivered).toBe(run.neighbourEvents);
  expect(run.neighbourAccepted).toBe(run.neighbourEvents);
  expect(run.neighbourHealthAfter).toMatchObject({ status: 'healthy', breaker: 'closed', failureStreak: 0 });
}

export type { EndpointView, HealthView, LatencySummary, NeighbourRun };
export { endpointView, expectNothingLost, fmt, latencyTargetMs, neighbourObservation, runNeighbourScenario };
