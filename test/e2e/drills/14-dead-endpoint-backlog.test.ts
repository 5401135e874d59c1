/**
 * Drill 14 — a dead endpoint at AWS scale (issue 19, adrs/0011): tenant D's endpoint answers 500 to
 * everything while it receives a steady stream, beside a healthy tenant and a tenant whose endpoint
 * refuses one message once. The local Step Functions plays AWS's quotas, scaled down (an open-execution
 * cap and token buckets), and counts what AWS bills. Then D's receiver comes back: its backlog drains
 * at its rateLimit, a 429 with Retry-After during the drain is honoured, and nothing is lost.
 *
 * Measured: executions started and retry-lane invocations (attempt + recovery functions) per
 * undeliverable delivery over the outage (targets ≤ 0.05 and ≤ 0.25); the healthy tenant's p99 beside
 * it; the backlog as the API shows it.
 */
import { describe, expect, it } from 'vitest';
import type { SfnQuotas } from '../../../local/sfn-quotas.js';
import { createEndpoint, deliveriesOf, publishOk, uniqueTenant } from '../support/fixtures.js';
import { ok, status } from '../support/receiver.js';
import { record } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable, requireLocal, skipReason } from '../support/target.js';
import { waitUntil } from '../support/wait.js';

const TIME_SCALE = 0.001;
/** AWS's Step Functions quotas divided by 100 (open executions far lower still): reached in seconds here. */
const QUOTAS: SfnQuotas = {
  maxOpenExecutions: 40,
  startExecution: { burst: 13, refillPerSecond: 3 },
  stateTransitions: { burst: 50, refillPerSecond: 15 },
};
const ctx = useHerald({ timeScale: TIME_SCALE, sfnQuotas: QUOTAS });
const DRILL = '14 dead endpoint backlog';
const skip =
  receiverUnreachable(DRILL) ||
  skipReason(DRILL, 'the local runtime (quotas and billing counts)') !== undefined;
/** 10 events/s to the dead endpoint for 30 s: ~8 scaled hours of outage. */
const DEAD_EVENTS = 300;
const DEAD_INTERVAL_MS = 100;
const HEALTHY_EVERY = 3;
const RATE_LIMIT = 20;
/** 2,000 s × the time scale = 2 s: long enough to see the drain hold for it. */
const RETRY_AFTER_SECONDS = 2_000;

interface Billing {
  stepFunctions: Record<
    string,
    { executionsStarted: number; stateTransitions: number; startsRefused: number }
  >;
  lambdaInvocations: Record<string, number>;
  requests: Record<string, number>;
}

async function billing(): Promise<Billing> {
  const url = requireLocal(ctx.target).runtime.metricsUrl!;
  return ((await (await fetch(url)).json()) as { billing: Billing }).billing;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const startsOf = (b: Billing) => sum(Object.values(b.stepFunctions).map((u) => u.executionsStarted));
const transitionsOf = (b: Billing) => sum(Object.values(b.stepFunctions).map((u) => u.stateTransitions));
const retryLaneInvocations = (b: Billing) =>
  sum(
    Object.entries(b.lambdaInvocations).flatMap(([name, n]) => (/attempt|recovery/i.test(name) ? [n] : [])),
  );
const writesOf = (b: Billing) =>
  sum(
    Object.entries(b.requests).flatMap(([op, n]) => (/dynamodb:(Put|Update|Delete)Item/.test(op) ? [n] : [])),
  );

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? Number.NaN;
}

describe.skipIf(skip)(DRILL, () => {
  it('a dead endpoint costs O(1) orchestration, keeps its backlog and drains it at its rate limit', {
    timeout: 600_000,
  }, async () => {
    const dead = { tenantId: uniqueTenant('dead'), name: 'dead' };
    const healthy = { tenantId: uniqueTenant('calm'), name: 'calm' };
    const flaky = { tenantId: uniqueTenant('flaky'), name: 'flaky' };
    const deadEndpoint = await createEndpoint(ctx.api, {
      tenantId: dead.tenantId,
      url: ctx.receiver.url(dead.name),
      eventTypes: ['ping.sent'],
      rateLimit: RATE_LIMIT,
    });
    for (const t of [healthy, flaky]) {
      await createEndpoint(ctx.api, {
        tenantId: t.tenantId,
        url: ctx.receiver.url(t.name),
        eventTypes: ['ping.sent'],
      });
    }
    ctx.receiver.setDefault(dead.name, status(500));
    const publishedAt = new Map<string, number>();
    const healthyIds: string[] = [];
    const publishHealthy = async () => {
      const before = Date.now();
      const e = await publishOk(ctx.api, {
        type: 'ping.sent',
        tenantId: healthy.tenantId,
        data: { at: before },
      });
      publishedAt.set(e.id, before);
      healthyIds.push(e.id);
    };
    const latencies = (ids: readonly string[]) => {
      const firstAccepted = new Map<string, number>();
      for (const r of ctx.receiver.accepted(healthy.name))
        if (r.webhookId !== undefined && !firstAccepted.has(r.webhookId))
          firstAccepted.set(r.webhookId, r.at);
      return ids.flatMap((id) => {
        const at = firstAccepted.get(id);
        return at === undefined ? [] : [at - publishedAt.get(id)!];
      });
    };

    // The healthy tenant alone.
    for (let i = 0; i < 30; i++) {
      await publishHealthy();
      await new Promise((r) => setTimeout(r, DEAD_INTERVAL_MS * HEALTHY_EVERY));
    }
    const aloneIds = [...healthyIds];
    await waitUntil(
      () => latencies(aloneIds).length,
      (n) => n === aloneIds.length,
      {
        timeoutMs: 60_000,
        description: 'the healthy tenant alone delivered',
      },
    );
    const aloneP99 = p99(latencies(aloneIds));

    // The outage: a steady stream to the dead endpoint, the healthy tenant beside it, and one
    // message-specific failure on a third tenant's healthy endpoint in the middle.
    const before = await billing();
    const deadIds: string[] = [];
    let flakyId = '';
    for (let i = 0; i < DEAD_EVENTS; i++) {
      deadIds.push(
        (await publishOk(ctx.api, { type: 'ping.sent', tenantId: dead.tenantId, data: { i } })).id,
      );
      if (i % HEALTHY_EVERY === 0) await publishHealthy();
      if (i === DEAD_EVENTS / 2) {
        ctx.receiver.script(flaky.name, [status(500)]);
        flakyId = (await publishOk(ctx.api, { type: 'ping.sent', tenantId: flaky.tenantId, data: { i } })).id;
      }
      await new Promise((r) => setTimeout(r, DEAD_INTERVAL_MS));
    }
    const besideIds = healthyIds.slice(aloneIds.length);
    await waitUntil(
      () => latencies(besideIds).length,
      (n) => n === besideIds.length,
      {
        timeoutMs: 60_000,
        description: 'the healthy tenant delivered beside the dead endpoint',
      },
    );
    const flakyHistory = await waitUntil(
      () => deliveriesOf(ctx.api, flakyId),
      (h) => h.deliveries[0]?.state === 'delivered',
      { timeoutMs: 60_000, description: 'the flaky endpoint’s retry delivered during the outage' },
    );
    const during = await billing();
    const view = (
      await ctx.api.get<{ backlog: { count: number; oldestAt?: string; draining: boolean } }>(
        `/v1/endpoints/${deadEndpoint.id}`,
      )
    ).body;
    const undeliverable = DEAD_EVENTS;
    const executions = startsOf(during) - startsOf(before);
    const invocations = retryLaneInvocations(during) - retryLaneInvocations(before);
    const transitions = transitionsOf(during) - transitionsOf(before);
    const writes = writesOf(during) - writesOf(before);

    // Recovery: the receiver answers 200, except one 429 with Retry-After part-way through the drain.
    let served = 0;
    let throttledAt = 0;
    ctx.receiver.respondWith(dead.name, () => {
      served += 1;
      if (served === 30) {
        throttledAt = Date.now();
        return status(429, String(RETRY_AFTER_SECONDS));
      }
      return ok;
    });
    const recoveryStarted = Date.now();
    await waitUntil(
      () => new Set(ctx.receiver.accepted(dead.name).map((r) => r.webhookId)).size,
      (n) => n === DEAD_EVENTS,
      {
        timeoutMs: 240_000,
        intervalMs: 250,
        description: `all ${DEAD_EVENTS} dead-endpoint events delivered`,
      },
    );
    const drainMs = Date.now() - recoveryStarted;
    const perSecond = new Map<number, number>();
    for (const r of ctx.receiver.received(dead.name).filter((r) => r.at >= recoveryStarted)) {
      const second = Number(r.headers['webhook-timestamp']);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    const maxPerSecond = Math.max(...perSecond.values());
    // Requests of the throttled step were already on their way (sent together, within a few ms of
    // it); the next step must wait out the Retry-After.
    const IN_FLIGHT_MS = 250;
    const afterThrottle = ctx.receiver
      .received(dead.name)
      .filter((r) => r.at > throttledAt + IN_FLIGHT_MS)
      .map((r) => r.at);
    const gapAfter429Ms = afterThrottle.length > 0 ? Math.min(...afterThrottle) - throttledAt : -1;
    const after = await waitUntil(
      async () =>
        (
          await ctx.api.get<{ backlog: { count: number; draining: boolean } }>(
            `/v1/endpoints/${deadEndpoint.id}`,
          )
        ).body,
      (v) => v.backlog.count === 0,
      { timeoutMs: 30_000, description: 'the backlog empty' },
    );
    const states = await Promise.all(
      deadIds.map(async (id) => (await deliveriesOf(ctx.api, id)).deliveries[0]?.state),
    );
    const healthyP99 = p99(latencies(besideIds));
    const target = Math.max(2000, 3 * aloneP99);

    const counts = {
      undeliverable,
      executionsStarted: executions,
      executionsPerUndeliverable: Number((executions / undeliverable).toFixed(3)),
      retryLaneInvocations: invocations,
      invocationsPerUndeliverable: Number((invocations / undeliverable).toFixed(3)),
      stateTransitions: transitions,
      dynamodbWritesPerDeadEventAllIn: Number((writes / undeliverable).toFixed(2)),
      startsRefusedByQuota: sum(Object.values(during.stepFunctions).map((u) => u.startsRefused)),
      backlogDuring: view.backlog.count,
      healthyAloneP99Ms: aloneP99,
      healthyBesideP99Ms: healthyP99,
      healthyTargetMs: target,
      flakyAttempts: flakyHistory.attempts.length,
      drainMs,
      maxPerSecond,
      rateLimit: RATE_LIMIT,
      gapAfter429Ms,
      retryAfterMs: RETRY_AFTER_SECONDS * TIME_SCALE * 1000,
      delivered: states.filter((s) => s === 'delivered').length,
      backlogAfter: after.backlog.count,
    };
    console.info(`[drill 14] ${JSON.stringify(counts)}`);
    record({
      drill: DRILL,
      case: 'a dead endpoint costs O(1) orchestration, keeps its backlog and drains it at its rate limit',
      injected: `${DEAD_EVENTS} events at 10/s to an endpoint answering 500 (≈8 scaled hours; Step Functions quotas on: open ${QUOTAS.maxOpenExecutions}, StartExecution 13/3 s⁻¹, transitions 50/15 s⁻¹), a healthy tenant beside it, one message-specific 500 on a third tenant; then the receiver returns with one 429 Retry-After ${RETRY_AFTER_SECONDS} s during the drain`,
      expected: `≤ 0.05 executions and ≤ 0.25 retry-lane invocations per undeliverable delivery; healthy p99 ≤ max(2 s, 3 × alone); the flaky retry delivered during the outage; backlog shown; all ${DEAD_EVENTS} delivered, ≤ ${RATE_LIMIT} (+1) per second, nothing within the Retry-After after the 429`,
      observed: `${counts.executionsPerUndeliverable} executions and ${counts.invocationsPerUndeliverable} invocations per undeliverable (${transitions} transitions; ${counts.dynamodbWritesPerDeadEventAllIn} DynamoDB writes per dead-endpoint event, publish, idempotency, claim, park and the healthy tenant's included); healthy p99 ${healthyP99} ms (alone ${aloneP99} ms); backlog ${view.backlog.count} during; ${counts.delivered} delivered in ${drainMs} ms, max ${maxPerSecond}/s, first delivery ${gapAfter429Ms} ms after the 429`,
      counts,
    });

    expect(counts.executionsPerUndeliverable).toBeLessThanOrEqual(0.05);
    expect(counts.invocationsPerUndeliverable).toBeLessThanOrEqual(0.25);
    expect(healthyP99).toBeLessThanOrEqual(target);
    expect(counts.flakyAttempts).toBe(2);
    expect(view.backlog.count).toBeGreaterThan(0);
    expect(typeof view.backlog.oldestAt).toBe('string');
    expect(counts.delivered).toBe(DEAD_EVENTS);
    expect(maxPerSecond).toBeLessThanOrEqual(RATE_LIMIT + 1);
    expect(throttledAt).toBeGreaterThan(0);
    expect(gapAfter429Ms).toBeGreaterThanOrEqual(counts.retryAfterMs - 50);
    expect(counts.backlogAfter).toBe(0);
  });
});
