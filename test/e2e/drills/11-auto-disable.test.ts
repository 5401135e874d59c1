/**
 * Drill 11 — auto-disable and operational events. Time scale 0.0001: the 5-day disable period is
 * 43.2 s and the whole retry schedule ~10 s. A tenant has an endpoint that answers 500 to everything
 * (subscribed to its events and to `herald.*`) and an ops endpoint subscribed to `herald.*`. Events
 * trickle in until Herald disables the failing endpoint. The ops endpoint receives, signed,
 * `herald.endpoint.failing` then `herald.delivery.exhausted` and `herald.endpoint.disabled`, each about
 * the failing endpoint — which itself receives none of them. After the disable a delivery is
 * `skipped`; once enabled again (and answering), replaying it delivers it.
 */
import { describe, expect, it } from 'vitest';
import {
  createEndpoint,
  deliveriesOf,
  expectStatus,
  publishOk,
  uniqueTenant,
  verifyWithLibrary,
} from '../support/fixtures.js';
import { endpointView } from '../support/neighbours.js';
import { ok, status } from '../support/receiver.js';
import { record } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable } from '../support/target.js';
import { pause, waitUntil } from '../support/wait.js';

const TIME_SCALE = 0.0001;
const ctx = useHerald({ timeScale: TIME_SCALE });
const DRILL = '11 auto-disable and operational events';
const skip = receiverUnreachable(DRILL);
const DISABLE_AFTER_MS = 5 * 24 * 3600 * 1000 * TIME_SCALE;
const TRICKLE_MS = 1_000;

interface OpEvent {
  readonly id: string;
  readonly type: string;
  readonly tenantId: string;
  readonly data: { endpointId?: string; eventId?: string; disabledReason?: string };
}

describe.skipIf(skip)(DRILL, () => {
  it('failing for the whole period → disabled, with failing/exhausted/disabled at the ops endpoint; skipped, then replayable', {
    timeout: 300_000,
  }, async () => {
    const tenantId = uniqueTenant('disable');
    const doomed = await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('doomed'),
      eventTypes: ['ping.sent', 'herald.*'],
    });
    const ops = await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('ops'),
      eventTypes: ['herald.*'],
    });
    ctx.receiver.setDefault('doomed', status(500));

    const started = Date.now();
    const published: string[] = [];
    let view = await endpointView(ctx.api, doomed.id);
    while (view.enabled && Date.now() - started < DISABLE_AFTER_MS * 3) {
      published.push(
        (await publishOk(ctx.api, { type: 'ping.sent', tenantId, data: { n: published.length } })).id,
      );
      await pause(TRICKLE_MS);
      view = await endpointView(ctx.api, doomed.id);
    }
    const disabledAfterMs = Date.now() - started;

    const opsEvents = await waitUntil(
      () => ctx.receiver.accepted('ops').map((r) => ({ parsed: JSON.parse(r.body) as OpEvent, webhook: r })),
      (list) =>
        list.some((e) => e.parsed.type === 'herald.endpoint.disabled') &&
        list.some((e) => e.parsed.type === 'herald.delivery.exhausted'),
      {
        timeoutMs: 60_000,
        intervalMs: 200,
        description: 'herald.endpoint.disabled and .delivery.exhausted at ops',
      },
    );
    for (const e of opsEvents) verifyWithLibrary(ops.secret, e.webhook);
    const types = opsEvents.map((e) => e.parsed.type);
    const firstIndex = (type: string) => types.indexOf(type);
    const aboutDoomed = opsEvents.filter((e) => e.parsed.data.endpointId === doomed.id).length;
    const heraldAtDoomed = ctx.receiver
      .received('doomed')
      .filter((r) => (JSON.parse(r.body) as OpEvent).type.startsWith('herald.')).length;

    // After the disable: a new event is skipped; enabled again and answering, a replay delivers it.
    const late = await publishOk(ctx.api, { type: 'ping.sent', tenantId, data: { late: true } });
    const skipped = await waitUntil(
      () => deliveriesOf(ctx.api, late.id),
      (h) => h.deliveries.find((d) => d.endpointId === doomed.id)?.state === 'skipped',
      { timeoutMs: 30_000, description: 'the late delivery skipped' },
    );
    ctx.receiver.setDefault('doomed', ok);
    const enabled = expectStatus(
      're-enable',
      await ctx.api.request<{ enabled: boolean; disabledReason?: string; health?: { status: string } }>(
        'PATCH',
        `/v1/endpoints/${doomed.id}`,
        { json: { enabled: true } },
      ),
      200,
    );
    expectStatus(
      'replay',
      await ctx.api.post(`/v1/events/${late.id}/replay`, { endpointId: doomed.id }),
      202,
    );
    await waitUntil(
      () => ctx.receiver.accepted('doomed').filter((r) => r.webhookId === late.id).length,
      (n) => n === 1,
      { timeoutMs: 30_000, description: 'the replayed delivery accepted' },
    );

    const counts = {
      disableAfterMs: DISABLE_AFTER_MS,
      disabledAfterMs,
      eventsPublished: published.length,
      opsEvents: opsEvents.length,
      failing: types.filter((t) => t === 'herald.endpoint.failing').length,
      exhausted: types.filter((t) => t === 'herald.delivery.exhausted').length,
      disabled: types.filter((t) => t === 'herald.endpoint.disabled').length,
      aboutDoomed,
      heraldAtDoomed,
      order: types.join(' → ').slice(0, 300),
    };
    console.info(`[drill 11] ${JSON.stringify(counts)}`);
    record({
      drill: DRILL,
      case: 'failing for the whole period → disabled, with failing/exhausted/disabled at the ops endpoint; skipped, then replayable',
      injected: `an endpoint answering 500 to everything, one event every ${TRICKLE_MS} ms; disable period 5 days × ${TIME_SCALE} = ${DISABLE_AFTER_MS} ms; an ops endpoint on herald.*`,
      expected:
        'disabled after ≥ the period (all_attempts_failed); ops receives failing before exhausted and disabled, each signed and about the failing endpoint, which receives none; later deliveries skipped; re-enabled + replay delivers',
      observed: `disabled after ${disabledAfterMs} ms (${published.length} events); ops received ${counts.failing} failing, ${counts.exhausted} exhausted, ${counts.disabled} disabled (${aboutDoomed}/${opsEvents.length} about it), ${heraldAtDoomed} herald.* at the failing endpoint; late delivery ${skipped.deliveries.find((d) => d.endpointId === doomed.id)?.state}, replay delivered`,
      counts,
    });

    expect(view).toMatchObject({ enabled: false, disabledReason: 'all_attempts_failed' });
    expect(typeof view.disabledAt).toBe('string');
    expect(disabledAfterMs).toBeGreaterThanOrEqual(DISABLE_AFTER_MS);
    expect(counts.failing).toBe(1);
    expect(counts.disabled).toBe(1);
    expect(counts.exhausted).toBeGreaterThanOrEqual(1);
    expect(firstIndex('herald.endpoint.failing')).toBeLessThan(firstIndex('herald.endpoint.disabled'));
    expect(aboutDoomed).toBe(opsEvents.length);
    expect(heraldAtDoomed).toBe(0);
    expect(enabled).toMatchObject({ enabled: true });
    expect(enabled.disabledReason).toBeUndefined();
    expect(enabled.health?.status).toBe('healthy');
  });
});
