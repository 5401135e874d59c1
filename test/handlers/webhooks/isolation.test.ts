/**
 * Endpoint health in dispatch and the attempt function (adrs/0007), against dynalite + fauxqs, a real
 * loopback receiver and the fake StartExecution endpoint: the breaker opens on an inline timeout and
 * on a failure streak, an open or held endpoint gets no inline POST, the rate limit defers instead of
 * dropping, operational events reach the topic and never the endpoint they are about, and an
 * endpoint failing for the whole period is disabled.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../../lambdas/shared/ids.js';
import type { HeraldEvent } from '../../../lambdas/shared/model.js';
import { getDelivery } from '../../../lambdas/shared/store/deliveries.js';
import { clearEndpointCache } from '../../../lambdas/shared/store/endpoint-cache.js';
import { getHealth, putHealth, releaseProbe } from '../../../lambdas/shared/store/endpoint-health.js';
import { getEndpoint } from '../../../lambdas/shared/store/endpoints.js';
import { putEvent } from '../../../lambdas/shared/store/events.js';
import { handler as dispatch } from '../../../lambdas/webhooks/dispatch.handler.js';
import { clearHealthCache, probeFor } from '../../../lambdas/webhooks/health/gate.js';
import { handler as recoveryStep } from '../../../lambdas/webhooks/recovery/recovery.handler.js';
import { handler as attempt } from '../../../lambdas/webhooks/retry-attempt.handler.js';
import { lambdaContext, sqsEvent } from '../../support/factories.js';
import { type Harness, receiveAll } from '../../support/harness.js';
import {
  createEndpoint,
  type DeliveryHarness,
  type FakeStepFunctions,
  type Receiver,
  startDeliveryHarness,
} from './support.js';

let h: Harness;
let receiver: Receiver;
let sfn: FakeStepFunctions;
let world: DeliveryHarness | undefined;

beforeAll(async () => {
  world = await startDeliveryHarness({
    HERALD_WEBHOOK_TIMEOUT_MS: '1500',
    HERALD_INLINE_TIMEOUT_MS: '300',
    HERALD_RETRY_TIME_SCALE: '1',
    HERALD_BREAKER_FAILURE_THRESHOLD: '2',
  });
  ({ h, receiver, sfn } = world);
});

beforeEach(() => {
  process.env.HERALD_ENDPOINT_DISABLE_AFTER_SECONDS = '3600';
  clearHealthCache();
});

afterAll(async () => {
  await world?.stop();
});

async function newEvent(tenantId: string, type = 'order.placed', data: Record<string, unknown> = { n: 1 }) {
  const event: HeraldEvent = { id: newId('evt'), type, tenantId, createdAt: new Date().toISOString(), data };
  await putEvent(event, 'api');
  return event;
}

const run = (...events: HeraldEvent[]) =>
  dispatch(sqsEvent(events.map((body) => ({ body }))), lambdaContext());
const startsFor = (endpointId: string) => sfn.started.filter((e) => e.input.endpointId === endpointId);
/** Per-delivery retry workflows and endpoint recoveries (adrs/0011) started for the endpoint. */
const retriesFor = (endpointId: string) => startsFor(endpointId).filter((e) => !e.name.startsWith('rcv-'));
const recoveriesFor = (endpointId: string) => startsFor(endpointId).filter((e) => e.name.startsWith('rcv-'));
/** A recovery step, run with the environment the template gives it: no recovery-workflow ARN of its own. */
const recover = async (input: unknown) => {
  const arn = process.env.HERALD_RECOVERY_STATE_MACHINE_ARN;
  delete process.env.HERALD_RECOVERY_STATE_MACHINE_ARN;
  try {
    return (await recoveryStep(input)) as unknown as {
      done: boolean;
      waitUntil: string;
      drained?: number;
    } & Record<string, unknown>;
  } finally {
    process.env.HERALD_RECOVERY_STATE_MACHINE_ARN = arn;
  }
};

/** Operational events that reached the topic since the last call (the harness subscribes a queue). */
async function opEvents(): Promise<HeraldEvent[]> {
  const messages = await receiveAll(h.sqs, h.queues.subscriber);
  return messages
    .map((m) => JSON.parse(m.Body ?? '{}') as HeraldEvent)
    .filter((e) => e.type.startsWith('herald.'));
}

describe('endpoint health in dispatch', () => {
  it('a hanging endpoint costs the inline timeout once; the next delivery is parked, with one recovery', async () => {
    const tenantId = `t_${newId('ep').slice(3)}`;
    const path = `/hang-${tenantId}`;
    receiver.reply(path, { status: 200, hang: true });
    const ep = await createEndpoint({ tenantId, url: `${receiver.base}${path}` });

    const first = await newEvent(tenantId);
    await run(first);
    expect(receiver.on(path)).toHaveLength(1);
    expect((await getDelivery(first.id, ep.id))?.lastError).toBe('timeout');
    expect((await getHealth(ep.id, true)).health).toMatchObject({ state: 'open', openReason: 'timeout' });
    expect(retriesFor(ep.id).map((e) => e.input.attempt)).toEqual([2]);

    const second = await newEvent(tenantId);
    await run(second);
    expect(receiver.on(path)).toHaveLength(1);
    const parked = await getDelivery(second.id, ep.id);
    expect(parked).toMatchObject({ state: 'retrying', attempts: 0 });
    expect(typeof parked?.parkedAt).toBe('string');
    // No workflow of its own: the endpoint's one recovery.
    expect(retriesFor(ep.id).map((e) => e.input.attempt)).toEqual([2]);
    expect(recoveriesFor(ep.id)).toHaveLength(1);
    expect((await getHealth(ep.id, true)).backlog).toMatchObject({ count: 1, oldestAt: parked?.parkedAt });
  });

  it('a failure streak opens the breaker and publishes herald.endpoint.failing; the recovery delivers the backlog and says so once', async () => {
    const tenantId = `t_${newId('ep').slice(3)}`;
    const path = `/fail-${tenantId}`;
    receiver.reply(path, { status: 500 });
    const ep = await createEndpoint({ tenantId, url: `${receiver.base}${path}` });
    await opEvents();

    await run(await newEvent(tenantId));
    await run(await newEvent(tenantId));
    expect((await getHealth(ep.id, true)).health).toMatchObject({
      state: 'open',
      failureStreak: 2,
      failingNotified: true,
    });
    const third = await newEvent(tenantId);
    await run(third);
    expect(receiver.on(path)).toHaveLength(2);
    const failing = (await opEvents()).filter((e) => e.type === 'herald.endpoint.failing');
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatchObject({ tenantId, data: { endpointId: ep.id, failureStreak: 2 } });

    receiver.reply(path, { status: 204 });
    const [recovery] = recoveriesFor(ep.id);
    const output = await recover(recovery!.input);
    expect(output).toMatchObject({ done: true, drained: 1 });
    expect(await getDelivery(third.id, ep.id)).toMatchObject({ state: 'delivered', attempts: 1 });
    expect((await getHealth(ep.id, true)).health).toMatchObject({ state: 'closed', failureStreak: 0 });
    expect((await getHealth(ep.id, true)).backlog).toMatchObject({ count: 0 });
    // One recovered event, the recovery's, with what it drained (the breaker's own is held back).
    const recovered = (await opEvents()).filter((e) => e.type === 'herald.endpoint.recovered');
    expect(recovered.map((e) => [e.data.endpointId, e.data.drained])).toEqual([[ep.id, 1]]);
  });

  it('over the rate limit a delivery waits in the workflow for a reserved window, never dropped', async () => {
    const tenantId = `t_${newId('ep').slice(3)}`;
    const path = `/rate-${tenantId}`;
    const ep = await createEndpoint({ tenantId, url: `${receiver.base}${path}` });
    const { updateEndpoint } = await import('../../../lambdas/shared/store/endpoints.js');
    await updateEndpoint(ep.id, ep.updatedAt, { rateLimit: 1 }, new Date().toISOString());
    const events = [await newEvent(tenantId), await newEvent(tenantId), await newEvent(tenantId)];
    await run(...events);
    expect(receiver.on(path)).toHaveLength(1);
    const deferred = startsFor(ep.id);
    expect(deferred).toHaveLength(2);
    const slots = deferred.map((e) => e.input.reservedSlot as number).sort();
    expect(new Set(slots).size).toBe(2);
    for (const e of deferred) {
      expect(e.input.attempt).toBe(1);
      // Due at the start of its window (or at once, if that start passed while dispatching).
      expect(Date.parse(e.input.waitUntil as string)).toBeGreaterThanOrEqual(
        (e.input.reservedSlot as number) * 1000,
      );
    }
    // Woken before its window, the attempt waits again for it without spending the attempt.
    const future = Math.floor(Date.now() / 1000) + 60;
    const early = await attempt({ ...deferred[0]!.input, reservedSlot: future });
    expect(early).toMatchObject({ outcome: 'retry', attempt: 1, reservedSlot: future });
    expect(early.waitUntil).toBe(new Date(future * 1000).toISOString());
    expect(receiver.on(path)).toHaveLength(1);
  });

  it('a 503 with a long Retry-After holds the whole endpoint: the next delivery parks, and the recovery waits out the hold', async () => {
    const tenantId = `t_${newId('ep').slice(3)}`;
    const path = `/held-${tenantId}`;
    receiver.reply(path, { status: 503, headers: { 'retry-after': '120' } });
    const ep = await createEndpoint({ tenantId, url: `${receiver.base}${path}` });
    await run(await newEvent(tenantId));
    const held = await newEvent(tenantId);
    await run(held);
    expect(receiver.on(path)).toHaveLength(1);
    expect(await getDelivery(held.id, ep.id)).toMatchObject({ state: 'retrying', attempts: 0 });
    const [recovery] = recoveriesFor(ep.id);
    const output = await recover(recovery!.input);
    expect(output.done).toBe(false);
    expect(Date.parse(output.waitUntil) - Date.now()).toBeGreaterThan(100_000);
    expect(receiver.on(path)).toHaveLength(1);
  });

  it('while the breaker is open deliveries park behind one recovery, which probes with one POST at a time', async () => {
    const tenantId = `t_${newId('ep').slice(3)}`;
    const path = `/probe-${tenantId}`;
    receiver.reply(path, { status: 200, hang: true });
    const ep = await createEndpoint({ tenantId, url: `${receiver.base}${path}` });
    await run(await newEvent(tenantId)); // inline timeout: the breaker opens
    const waiting = [await newEvent(tenantId), await newEvent(tenantId), await newEvent(tenantId)];
    await run(...waiting);
    expect(recoveriesFor(ep.id)).toHaveLength(1);
    expect(retriesFor(ep.id)).toHaveLength(1); // the first delivery's own retries only
    const output = await recover(recoveriesFor(ep.id)[0]!.input);
    // The probe timed out: the next one follows the probe schedule (5 s at time scale 1).
    expect(output).toMatchObject({ done: false, phase: 'probe', failedProbes: 1 });
    expect(Date.parse(output.waitUntil) - Date.now()).toBeGreaterThan(3_000);
    expect(receiver.on(path)).toHaveLength(2); // the inline attempt and the probe only
    expect((await getHealth(ep.id, true)).backlog.count).toBe(3);
  });

  it('an endpoint open for being slow parks too, and its recovery delivers the backlog side by side', async () => {
    const tenantId = `t_${newId('ep').slice(3)}`;
    const path = `/slow-${tenantId}`;
    const ep = await createEndpoint({ tenantId, url: `${receiver.base}${path}` });
    await putHealth(ep.id, { state: 'open', openReason: 'slow', failureStreak: 0, failingNotified: false });
    const events = [await newEvent(tenantId), await newEvent(tenantId), await newEvent(tenantId)];
    await run(...events);
    expect(receiver.on(path)).toHaveLength(0);
    const output = await recover(recoveriesFor(ep.id)[0]!.input);
    expect(output).toMatchObject({ done: true, drained: 3 });
    for (const e of events) expect(await getDelivery(e.id, ep.id)).toMatchObject({ state: 'delivered' });
    expect(receiver.on(path)).toHaveLength(3);
  });

  it('retries to an endpoint open for being slow take at most the slow lane’s width of slots at once', async () => {
    const ep = await createEndpoint({
      tenantId: `t_${newId('ep').slice(3)}`,
      url: `${receiver.base}/slow-slots`,
    });
    await putHealth(ep.id, { state: 'open', openReason: 'slow', failureStreak: 0, failingNotified: false });
    clearHealthCache();
    const now = new Date();
    const verdicts = await Promise.all([1, 2, 3, 4].map(() => probeFor(ep.id, now)));
    const probes = verdicts.filter((v) => v.kind === 'probe');
    expect(probes.map((v) => (v.kind === 'probe' ? v.slot : -1)).sort()).toEqual([0, 1]);
    expect(verdicts.filter((v) => v.kind === 'busy')).toHaveLength(2);
    // A slot given back is free for the next retry; a failing (not slow) endpoint has one slot only.
    const first = probes[0]!;
    if (first.kind === 'probe') await releaseProbe(ep.id, first.until, first.slot);
    expect(await probeFor(ep.id, now)).toMatchObject({
      kind: 'probe',
      slot: first.kind === 'probe' ? first.slot : -1,
    });
    const failing = await createEndpoint({
      tenantId: `t_${newId('ep').slice(3)}`,
      url: `${receiver.base}/one-slot`,
    });
    await putHealth(failing.id, {
      state: 'open',
      openReason: 'failures',
      failureStreak: 5,
      failingNotified: true,
    });
    const one = await Promise.all([1, 2, 3].map(() => probeFor(failing.id, now)));
    expect(one.filter((v) => v.kind === 'probe')).toHaveLength(1);
  });

  it('an operational event is delivered to the tenant’s other endpoints, never to the one it is about', async () => {
    const tenantId = `t_${newId('ep').slice(3)}`;
    const about = await createEndpoint({
      tenantId,
      url: `${receiver.base}/about-${tenantId}`,
      eventTypes: ['herald.*'],
    });
    await createEndpoint({ tenantId, url: `${receiver.base}/ops-${tenantId}`, eventTypes: ['herald.*'] });
    const event = await newEvent(tenantId, 'herald.endpoint.failing', { endpointId: about.id });
    await run(event);
    expect(receiver.on(`/ops-${tenantId}`)).toHaveLength(1);
    expect(receiver.on(`/about-${tenantId}`)).toHaveLength(0);
    expect(await getDelivery(event.id, about.id)).toBeUndefined();
  });

  it('a replay through the backlog parks the delivery behind the endpoint’s recovery, under a new generation', async () => {
    const tenantId = `t_${newId('ep').slice(3)}`;
    const path = `/gentle-${tenantId}`;
    const ep = await createEndpoint({ tenantId, url: `${receiver.base}${path}` });
    const event = await newEvent(tenantId);
    await run(event);
    expect(await getDelivery(event.id, ep.id)).toMatchObject({ state: 'delivered', generation: 0 });
    await dispatch(
      sqsEvent([
        {
          body: {
            kind: 'herald.redeliver',
            eventId: event.id,
            endpointId: ep.id,
            reason: 'replay',
            throughBacklog: true,
          },
        },
      ]),
      lambdaContext(),
    );
    const parked = await getDelivery(event.id, ep.id);
    expect(parked).toMatchObject({ state: 'retrying', generation: 1, attempts: 0 });
    expect(typeof parked?.parkedAt).toBe('string');
    expect(receiver.on(path)).toHaveLength(1);
    const output = await recover(recoveriesFor(ep.id)[0]!.input);
    expect(output).toMatchObject({ done: true, drained: 1 });
    expect(await getDelivery(event.id, ep.id)).toMatchObject({ state: 'delivered', generation: 1 });
    expect(receiver.on(path).map((r) => r.headers['webhook-id'])).toEqual([event.id, event.id]);
  });

  it('operational events never multiply: none to endpoints themselves failing or open', async () => {
    const tenantId = `t_${newId('ep').slice(3)}`;
    const failing = await Promise.all(
      [1, 2, 3].map((n) =>
        createEndpoint({ tenantId, url: `${receiver.base}/down${n}-${tenantId}`, eventTypes: ['herald.*'] }),
      ),
    );
    for (const ep of failing) {
      await putHealth(ep.id, {
        state: 'open',
        openReason: 'failures',
        failureStreak: 9,
        failingNotified: true,
      });
    }
    const calm = await createEndpoint({
      tenantId,
      url: `${receiver.base}/calm-${tenantId}`,
      eventTypes: ['herald.*'],
    });
    const exhausted = await newEvent(tenantId, 'herald.delivery.exhausted', { endpointId: failing[0]!.id });
    await run(exhausted);
    expect(receiver.on(`/calm-${tenantId}`)).toHaveLength(1);
    for (const ep of failing) expect(await getDelivery(exhausted.id, ep.id)).toBeUndefined();
    expect(await getDelivery(exhausted.id, calm.id)).toMatchObject({ state: 'delivered' });
  });

  it('operational events per tenant are bounded per minute; the rest are counted, not sent', async () => {
    process.env.HERALD_OP_EVENTS_PER_MINUTE = '2';
    try {
      const tenantId = `t_${newId('ep').slice(3)}`;
      await opEvents();
      const { emitOpEvent, OP_EVENT_TYPES } = await import('../../../lambdas/webhooks/health/op-events.js');
      for (let i = 0; i < 5; i++) {
        await emitOpEvent(tenantId, OP_EVENT_TYPES.failing, { endpointId: `ep_${i}` });
      }
      const sent = (await opEvents()).filter((e) => e.tenantId === tenantId);
      // Two in this minute — or, if the minute turned meanwhile, up to two in each: never all five.
      expect([2, 3, 4]).toContain(sent.length);
    } finally {
      delete process.env.HERALD_OP_EVENTS_PER_MINUTE;
    }
  });

  it('an endpoint whose every attempt failed for the period is disabled, once, with herald.endpoint.disabled', async () => {
    process.env.HERALD_ENDPOINT_DISABLE_AFTER_SECONDS = '1';
    const tenantId = `t_${newId('ep').slice(3)}`;
    const path = `/doomed-${tenantId}`;
    receiver.reply(path, { status: 500 });
    const ep = await createEndpoint({ tenantId, url: `${receiver.base}${path}` });
    await opEvents();
    const first = await newEvent(tenantId);
    await run(first);
    await new Promise((r) => setTimeout(r, 1_100));
    const execution = startsFor(ep.id).find((e) => e.input.eventId === first.id)!;
    await attempt({ ...execution.input, waitUntil: new Date().toISOString() });
    const record = await getEndpoint(ep.id);
    expect(record).toMatchObject({ enabled: false, disabledReason: 'all_attempts_failed' });
    expect(typeof record?.disabledAt).toBe('string');
    const disabled = (await opEvents()).filter((e) => e.type === 'herald.endpoint.disabled');
    expect(disabled.map((e) => e.data.endpointId)).toEqual([ep.id]);
    clearEndpointCache(); // dispatch reuses a tenant's endpoint list for up to 5 s
    const late = await newEvent(tenantId);
    await run(late);
    expect(await getDelivery(late.id, ep.id)).toMatchObject({ state: 'skipped' });
  });
});
