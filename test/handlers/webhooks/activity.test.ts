/**
 * An endpoint's hourly activity (lambdas/webhooks/activity/, lambdas/shared/store/endpoint-activity.ts,
 * `GET /v1/endpoints/{id}/activity`) against dynalite + fauxqs and a real receiver: dispatch counts what
 * it delivered and what failed in memory, writes it at most once a minute (and when an hour has ended),
 * and the management route answers every hour, tenant-scoped. Only Date is faked, so the flush timing
 * is exact.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { newId } from '../../../lambdas/shared/ids.js';
import type { HeraldEvent } from '../../../lambdas/shared/model.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import { activityHours, addActivity } from '../../../lambdas/shared/store/endpoint-activity.js';
import { clearEndpointCache } from '../../../lambdas/shared/store/endpoint-cache.js';
import { handler as dispatch } from '../../../lambdas/webhooks/dispatch.handler.js';
import { lambdaContext, sqsEvent } from '../../support/factories.js';
import { apiEvent, json, MAIN_TABLE, type RequestOptions } from '../../support/harness.js';
import { createEndpoint, type DeliveryHarness, startDeliveryHarness } from './support.js';

const HOUR_MS = 3_600_000;
let world: DeliveryHarness | undefined;
let admin: string;
let tenantKey: string;
let otherKey: string;

async function call(method: string, path: string, options: RequestOptions = {}) {
  return management(await apiEvent(method, path, options));
}

async function mint(tenantId: string): Promise<string> {
  const minted = await call('POST', '/v1/keys', { key: admin, body: { role: 'tenant', tenantId } });
  expect(minted.statusCode).toBe(201);
  return json(minted).key as string;
}

async function dispatchOne(tenantId: string): Promise<void> {
  const event: HeraldEvent = {
    id: newId('evt'),
    type: 'order.placed',
    tenantId,
    createdAt: new Date().toISOString(),
    data: { n: 1 },
  };
  expect(await dispatch(sqsEvent([{ body: event }]), lambdaContext())).toEqual({ batchItemFailures: [] });
}

async function activity(endpointId: string, query?: Record<string, string>, key = tenantKey) {
  return call('GET', `/v1/endpoints/${endpointId}/activity`, { key, ...(query ? { query } : {}) });
}

/** The last `hours` rows as [delivered, failed, backlog]. */
async function rows(endpointId: string, hours = 2): Promise<number[][]> {
  const response = await activity(endpointId, { hours: String(hours) });
  expect(response.statusCode).toBe(200);
  return (json(response).hours as { delivered: number; failed: number; backlog: number }[]).map((h) => [
    h.delivered,
    h.failed,
    h.backlog,
  ]);
}

beforeAll(async () => {
  world = await startDeliveryHarness({ HERALD_WEBHOOK_TIMEOUT_MS: '1000' });
  admin = (await createAdminKey(MAIN_TABLE)).key;
  tenantKey = await mint('t_act');
  otherKey = await mint('t_act_other');
});

afterAll(async () => {
  await world?.stop();
});

afterEach(() => {
  vi.useRealTimers();
  clearEndpointCache();
});

describe('dispatch counts outcomes per endpoint and hour, written at most once a minute', () => {
  it('writes on the first invocation, holds counts for a minute, and flushes when an hour has ended', async () => {
    const { receiver } = world!;
    receiver.reply('/act-ok', { status: 204 });
    receiver.reply('/act-bad', { status: 400 });
    const ok = await createEndpoint({ tenantId: 't_act', url: `${receiver.base}/act-ok` });
    const bad = await createEndpoint({ tenantId: 't_act_bad', url: `${receiver.base}/act-bad` });
    // Ten minutes into the next hour of the real clock.
    const h0 = Math.floor(Date.now() / HOUR_MS) + 1;
    vi.useFakeTimers({ toFake: ['Date'] });

    vi.setSystemTime(h0 * HOUR_MS + 10 * 60_000);
    await dispatchOne('t_act');
    // The container's first invocation flushes at once.
    expect(await rows(ok.id, 1)).toEqual([[1, 0, 0]]);

    vi.setSystemTime(h0 * HOUR_MS + 10 * 60_000 + 10_000);
    await dispatchOne('t_act');
    await dispatchOne('t_act_bad');
    // Ten seconds later: counted in memory, not written (no write per delivery).
    expect(await rows(ok.id, 1)).toEqual([[1, 0, 0]]);
    expect((await activityHours(bad.id, h0, h0)).length).toBe(0);

    vi.setSystemTime(h0 * HOUR_MS + 11 * 60_000 + 1000);
    await dispatchOne('t_act');
    // A minute on: one write per (endpoint, hour) carries everything since.
    expect(await rows(ok.id, 1)).toEqual([[3, 0, 0]]);
    expect(await activityHours(bad.id, h0, h0)).toEqual([
      { endpointId: bad.id, hour: h0, delivered: 0, failed: 1 },
    ]);

    // Ten seconds before the hour ends a flush is due (a minute has passed); five seconds later the
    // count waits; five seconds into the next hour the ended hour's counts are written at once.
    vi.setSystemTime((h0 + 1) * HOUR_MS - 10_000);
    await dispatchOne('t_act');
    expect(await rows(ok.id, 1)).toEqual([[4, 0, 0]]);
    vi.setSystemTime((h0 + 1) * HOUR_MS - 5000);
    await dispatchOne('t_act');
    expect(await rows(ok.id, 1)).toEqual([[4, 0, 0]]);
    vi.setSystemTime((h0 + 1) * HOUR_MS + 5000);
    await dispatchOne('t_act');
    expect(await rows(ok.id, 2)).toEqual([
      [5, 0, 0],
      [1, 0, 0],
    ]);
    expect(receiver.on('/act-ok')).toHaveLength(6);
  });
});

describe('the store: one ADD per (endpoint, hour), the backlog kept at its largest reading', () => {
  it('adds counts and keeps the larger backlog, whatever order the readings come in', async () => {
    const endpointId = newId('ep');
    const hour = Math.floor(Date.now() / HOUR_MS);
    await addActivity({ endpointId, hour, delivered: 2, failed: 0, backlog: 40 });
    await addActivity({ endpointId, hour, delivered: 1, failed: 3, backlog: 12 });
    await addActivity({ endpointId, hour, delivered: 0, failed: 0, backlog: 10 });
    expect(await activityHours(endpointId, hour, hour)).toEqual([
      { endpointId, hour, delivered: 3, failed: 3, backlog: 40 },
    ]);
    await addActivity({ endpointId, hour, delivered: 0, failed: 0, backlog: 55 });
    await addActivity({ endpointId, hour: hour - 1, delivered: 7, failed: 0 });
    expect(await activityHours(endpointId, hour - 1, hour)).toEqual([
      { endpointId, hour: hour - 1, delivered: 7, failed: 0 },
      { endpointId, hour, delivered: 3, failed: 3, backlog: 55 },
    ]);
  });
});

describe('GET /v1/endpoints/{id}/activity', () => {
  it('answers 24 hours by default, oldest first, every hour present, ending with the current one', async () => {
    const endpoint = await createEndpoint({ tenantId: 't_act', url: 'http://127.0.0.1:9/none' });
    const hour = Math.floor(Date.now() / HOUR_MS);
    await addActivity({ endpointId: endpoint.id, hour: hour - 3, delivered: 9, failed: 2, backlog: 5 });
    const response = await activity(endpoint.id);
    expect(response.statusCode).toBe(200);
    const body = json(response) as {
      endpointId: string;
      hours: { hour: string; delivered: number; failed: number; backlog: number }[];
    };
    expect(body.endpointId).toBe(endpoint.id);
    expect(body.hours).toHaveLength(24);
    expect(body.hours[23]!.hour).toBe(new Date(hour * HOUR_MS).toISOString().replace('.000Z', 'Z'));
    expect(body.hours[20]).toEqual({
      hour: new Date((hour - 3) * HOUR_MS).toISOString().replace('.000Z', 'Z'),
      delivered: 9,
      failed: 2,
      backlog: 5,
    });
    expect(body.hours.filter((h, i) => i !== 20 && h.delivered + h.failed + h.backlog > 0)).toEqual([]);
    // An admin key sees it too.
    expect((await activity(endpoint.id, { hours: '1' }, admin)).statusCode).toBe(200);
  });

  it("is 404 for another tenant's endpoint, as for a missing one", async () => {
    const endpoint = await createEndpoint({ tenantId: 't_act', url: 'http://127.0.0.1:9/none' });
    const other = await activity(endpoint.id, undefined, otherKey);
    expect(other.statusCode).toBe(404);
    expect(json(other).code).toBe('not_found');
    expect((await activity('ep_missing')).statusCode).toBe(404);
  });

  it.each(['0', '49', '2.5', 'x', ''])(
    'refuses hours=%j with 400 invalid_request naming the field',
    async (hours) => {
      const endpoint = await createEndpoint({ tenantId: 't_act', url: 'http://127.0.0.1:9/none' });
      const response = await activity(endpoint.id, { hours });
      expect(response.statusCode).toBe(400);
      expect(response.headers?.['content-type']).toBe('application/problem+json');
      expect(json(response)).toMatchObject({ code: 'invalid_request', field: 'hours' });
    },
  );
});
