/**
 * Payload filters through the management API (adrs/0010), against dynalite + fauxqs through the real
 * authorizer: saved and shown on create and PATCH, refused with pointers when they cannot match the
 * subscribed types' schemas, warned about where there is no schema, and previewed over the tenant's
 * recent events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { forgetCatalogEntry } from '../../../lambdas/shared/catalog/catalog.js';
import { newId } from '../../../lambdas/shared/ids.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import { putEvent } from '../../../lambdas/shared/store/events.js';
import {
  apiEvent,
  type Harness,
  json,
  MAIN_TABLE,
  type RequestOptions,
  startHarness,
} from '../../support/harness.js';

let h: Harness;
let admin: string;
let tenant: string;
const RECEIVER = 'http://127.0.0.1:9/hook';

async function call(method: string, path: string, options: RequestOptions = {}) {
  return management(await apiEvent(method, path, options));
}

async function create(body: Record<string, unknown>, key = tenant) {
  return call('POST', '/v1/endpoints', { key, body: { url: RECEIVER, ...body } });
}

beforeAll(async () => {
  h = await startHarness();
  admin = (await createAdminKey(MAIN_TABLE)).key;
  const minted = await call('POST', '/v1/keys', { key: admin, body: { role: 'tenant', tenantId: 't_f' } });
  tenant = json(minted).key as string;
  forgetCatalogEntry();
  const registered = await call('POST', '/v1/event-types', {
    key: admin,
    body: {
      name: 'shipment.updated',
      description: 'A shipment changed state.',
      schema: {
        type: 'object',
        required: ['status'],
        properties: { status: { enum: ['packed', 'shipped', 'delivered'] }, parcels: { type: 'integer' } },
      },
    },
  });
  expect(registered.statusCode).toBe(201);
  const bare = await call('POST', '/v1/event-types', {
    key: admin,
    body: { name: 'legacy.thing', description: 'No schema.' },
  });
  expect(bare.statusCode).toBe(201);
});

afterAll(async () => {
  await h?.stop();
});

describe('filter on POST /v1/endpoints', () => {
  it('is saved and shown on the endpoint', async () => {
    const filter = { data: { currency: ['EUR'], lines: { unitPrice: [{ numeric: ['>=', 1000] }] } } };
    const created = await create({ eventTypes: ['order.placed'], filter });
    expect(created.statusCode).toBe(201);
    expect(json(created)).toMatchObject({ filter });
    expect(json(created).warnings).toBeUndefined();
    const read = await call('GET', `/v1/endpoints/${json(created).id}`, { key: tenant });
    expect(json(read).filter).toEqual(filter);
  });

  it('refuses a typo with a pointer into the filter and the reason (400 invalid_filter)', async () => {
    const response = await create({ eventTypes: ['order.*'], filter: { data: { curency: ['EUR'] } } });
    expect(response.statusCode).toBe(400);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(json(response)).toMatchObject({
      code: 'invalid_filter',
      status: 400,
      errors: [
        {
          pointer: '/data/curency',
          message: 'order.placed: the schema has no field "curency" here (did you mean "currency"?)',
        },
      ],
    });
  });

  it('refuses a comparison of the wrong type and a value outside an enum', async () => {
    const wrongType = await create({
      eventTypes: ['order.placed'],
      filter: { data: { currency: [{ numeric: ['>', 1] }] } },
    });
    expect(json(wrongType).errors).toEqual([
      {
        pointer: '/data/currency/0',
        message: 'order.placed: "numeric" needs a number, but the field is a string',
      },
    ]);
    const outside = await create({
      eventTypes: ['shipment.updated'],
      filter: { data: { status: ['lost'] } },
    });
    expect(outside.statusCode).toBe(400);
    expect((json(outside).errors as unknown[])[0]).toMatchObject({
      pointer: '/data/status/0',
      message: expect.stringMatching(/allows only "packed", "shipped", "delivered"/),
    });
  });

  it('refuses a malformed filter before reading any schema', async () => {
    const response = await create({ eventTypes: ['order.placed'], filter: { data: { currency: 'EUR' } } });
    expect(json(response)).toMatchObject({ code: 'invalid_filter', errors: [{ pointer: '/data/currency' }] });
    const notObject = await create({ eventTypes: ['order.placed'], filter: 'data.amount > 100' });
    expect(json(notObject)).toMatchObject({ code: 'invalid_filter', errors: [{ pointer: '' }] });
  });

  it('accepts any well-formed filter on a type without a schema, with warnings', async () => {
    const response = await create({
      eventTypes: ['legacy.thing', 'unregistered.kind'],
      filter: { data: { anything: ['x'] } },
    });
    expect(response.statusCode).toBe(201);
    expect(json(response).warnings).toEqual([
      {
        eventType: 'legacy.thing',
        message: 'legacy.thing has no schema: the filter is not checked against it',
      },
      {
        eventType: 'unregistered.kind',
        message: 'unregistered.kind has no schema: the filter is not checked against it',
      },
    ]);
  });

  it('warns that a wildcard also matches types outside the catalog', async () => {
    const response = await create({ eventTypes: ['shipment.*'], filter: { data: { status: ['shipped'] } } });
    expect(response.statusCode).toBe(201);
    expect(json(response).warnings).toEqual([
      {
        eventType: 'shipment.*',
        message: 'shipment.* also matches types not in the catalog; the filter is not checked against those',
      },
    ]);
  });
});

describe('filter on PATCH /v1/endpoints/{id}', () => {
  it('sets, checks and removes the filter; changing eventTypes checks the current one again', async () => {
    const created = json(await create({ eventTypes: ['order.placed'] }));
    const path = `/v1/endpoints/${created.id}`;
    const refused = await call('PATCH', path, {
      key: tenant,
      body: { filter: { data: { total: [{ numeric: ['>', 0] }] } } },
    });
    expect(json(refused)).toMatchObject({ code: 'invalid_filter', errors: [{ pointer: '/data/total' }] });
    const set = await call('PATCH', path, {
      key: tenant,
      body: { filter: { data: { taxRate: [{ numeric: ['>', 0.1] }] } } },
    });
    expect(set.statusCode).toBe(200);
    expect(json(set).filter).toEqual({ data: { taxRate: [{ numeric: ['>', 0.1] }] } });
    // shipment.updated has no taxRate: the current filter cannot follow the endpoint there.
    const moved = await call('PATCH', path, { key: tenant, body: { eventTypes: ['shipment.updated'] } });
    expect(json(moved)).toMatchObject({ code: 'invalid_filter', errors: [{ pointer: '/data/taxRate' }] });
    const removed = await call('PATCH', path, {
      key: tenant,
      body: { filter: null, eventTypes: ['shipment.updated'] },
    });
    expect(removed.statusCode).toBe(200);
    expect(json(removed).filter).toBeUndefined();
    expect(json(await call('GET', path, { key: tenant })).filter).toBeUndefined();
  });
});

describe('replays respect the filter as it is at replay time', () => {
  it('replays to the endpoints whose filter passes now, a named one included', async () => {
    const eur = await create(
      { tenantId: 't_r', eventTypes: ['order.placed'], filter: { data: { currency: ['EUR'] } } },
      admin,
    );
    expect(eur.statusCode).toBe(201);
    const usd = json(
      await create(
        { tenantId: 't_r', eventTypes: ['order.placed'], filter: { data: { currency: ['USD'] } } },
        admin,
      ),
    );
    const id = newId('evt');
    await putEvent(
      {
        id,
        type: 'order.placed',
        tenantId: 't_r',
        createdAt: new Date().toISOString(),
        data: { orderId: 'r-1', currency: 'EUR', lines: [] },
      },
      'api',
    );
    const all = await call('POST', `/v1/events/${id}/replay`, { key: admin, body: {} });
    expect(json(all)).toMatchObject({ replayed: 1, failed: 0 });
    const named = await call('POST', `/v1/events/${id}/replay`, { key: admin, body: { endpointId: usd.id } });
    expect(json(named)).toMatchObject({ replayed: 0 });
    // The USD endpoint's filter changes: the same replay now reaches it.
    const changed = await call('PATCH', `/v1/endpoints/${usd.id}`, { key: admin, body: { filter: null } });
    expect(changed.statusCode).toBe(200);
    const again = await call('POST', `/v1/events/${id}/replay`, { key: admin, body: { endpointId: usd.id } });
    expect(json(again)).toMatchObject({ replayed: 1 });
  });
});

describe('GET /v1/openapi/webhooks.json', () => {
  it('never mentions an endpoint’s filter: receivers see events, not filters', async () => {
    const created = await create({ eventTypes: ['order.placed'], filter: { data: { currency: ['EUR'] } } });
    expect(created.statusCode).toBe(201);
    const exported = await call('GET', '/v1/openapi/webhooks.json', { key: tenant });
    expect(exported.statusCode).toBe(200);
    expect(Object.keys(json(exported).webhooks as object)).toContain('order.placed');
    expect(exported.body).not.toMatch(/filter/i);
  });
});

describe('POST /v1/endpoints/{id}/filter-preview', () => {
  it('counts the recent events of the subscribed types the filter lets through, with examples', async () => {
    const endpoint = json(await create({ eventTypes: ['order.placed'] }));
    const start = Date.parse('2026-12-07T09:00:00.000Z');
    for (let i = 0; i < 12; i++) {
      await putEvent(
        {
          id: newId('evt'),
          type: i % 3 === 0 ? 'invoice.created' : 'order.placed',
          tenantId: 't_f',
          createdAt: new Date(start + i * 1000).toISOString(),
          data: {
            orderId: `o-${i}`,
            currency: i % 2 === 0 ? 'EUR' : 'USD',
            lines: [{ sku: 'A', quantity: 1, unitPrice: 100 * i }],
          },
        },
        'api',
      );
    }
    const path = `/v1/endpoints/${endpoint.id}/filter-preview`;
    const preview = await call('POST', path, {
      key: tenant,
      body: { filter: { data: { currency: ['EUR'] } } },
    });
    expect(preview.statusCode).toBe(200);
    // 8 order.placed events (i not a multiple of 3); EUR where i is even: 2, 4, 8, 10.
    expect(json(preview)).toMatchObject({ examined: 8, matched: 4 });
    expect((json(preview).examples as { data: { orderId: string } }[]).map((e) => e.data.orderId)).toEqual([
      'o-10',
      'o-8',
      'o-4',
      'o-2',
    ]);
    const limited = await call('POST', path, { key: tenant, body: { filter: null, limit: 3 } });
    expect(json(limited)).toMatchObject({ examined: 3, matched: 3 });
    const refused = await call('POST', path, {
      key: tenant,
      body: { filter: { data: { curency: ['EUR'] } } },
    });
    expect(json(refused)).toMatchObject({ code: 'invalid_filter', errors: [{ pointer: '/data/curency' }] });
    // The preview saves nothing.
    expect(json(await call('GET', `/v1/endpoints/${endpoint.id}`, { key: tenant })).filter).toBeUndefined();
  });

  it('is 404 for another tenant’s endpoint, and 400 without a filter', async () => {
    const other = json(await create({ tenantId: 't_other', eventTypes: ['order.placed'] }, admin));
    const hidden = await call('POST', `/v1/endpoints/${other.id}/filter-preview`, {
      key: tenant,
      body: { filter: null },
    });
    expect(hidden.statusCode).toBe(404);
    const mine = json(await create({ eventTypes: ['order.placed'] }));
    const missing = await call('POST', `/v1/endpoints/${mine.id}/filter-preview`, { key: tenant, body: {} });
    expect(json(missing)).toMatchObject({ status: 400, code: 'invalid_request' });
  });
});
