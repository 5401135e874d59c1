/**
 * POST /v1/events/batch as an outside client uses it (issue 21): a batch of mixed items answers 207
 * with one result per item in order; every accepted event is delivered (signed, once per endpoint) and
 * listed, no refused one ever is; an item's idempotencyKey names the same event on the batch and the
 * single route; a key revoked is refused by the publish routes (which verify keys themselves) within 5 s.
 * Runs against HERALD_E2E_TARGET (local by default).
 */
import { describe, expect, it } from 'vitest';
import {
  createEndpoint,
  createKey,
  orderPlaced,
  publish,
  tenantEvents,
  uniqueTenant,
} from './support/fixtures.js';
import { useHerald } from './support/suite.js';
import { receiverUnreachable } from './support/target.js';
import { holdsFor, waitUntil } from './support/wait.js';

const ctx = useHerald();
const DELIVERY_TIMEOUT_MS = 60_000;

interface BatchItem {
  readonly status: number;
  readonly id?: string;
  readonly type?: string;
  readonly tenantId?: string;
  readonly problem?: { readonly status: number; readonly code: string };
}

describe.skipIf(receiverUnreachable('batch'))('POST /v1/events/batch', () => {
  it('answers each item in order; delivers and lists the accepted ones only', async () => {
    const tenantId = uniqueTenant('batch');
    await createEndpoint(ctx.api, { tenantId, url: ctx.receiver.url('batch'), eventTypes: ['shipment.*'] });
    const events = [
      { type: 'shipment.sent', tenantId, data: { n: 0, big: 'BIG' } },
      { type: 'Not A Type', tenantId, data: { n: 1 } },
      { type: 'shipment.sent', tenantId, data: { n: 2 }, idempotencyKey: 'ship-2' },
      { type: 'herald.endpoint.failing', tenantId, data: { n: 3 } },
      { type: 'shipment.sent', tenantId, data: { n: 4 }, idempotencyKey: 'ship-2' },
      ...Array.from({ length: 7 }, (_, i) => ({ type: 'shipment.sent', tenantId, data: { n: 5 + i } })),
    ];
    // Raw, so the 64-bit integer goes out digit for digit.
    const raw = JSON.stringify({ events }).replace('"BIG"', '1234567890123456789');
    const response = await ctx.api.request<{ items: BatchItem[] }>('POST', '/v1/events/batch', {
      raw,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(207);
    const items = response.body.items;
    expect(items.map((i) => i.status)).toEqual([202, 400, 202, 400, 422, 202, 202, 202, 202, 202, 202, 202]);
    expect(items[1]!.problem).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(items[4]!.problem).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
    const accepted = items.filter((i) => i.status === 202);
    expect(new Set(accepted.map((i) => i.id)).size).toBe(accepted.length);

    const arrived = await waitUntil(
      () => ctx.receiver.accepted('batch'),
      (r) => new Set(r.map((w) => w.webhookId)).size >= accepted.length,
      { timeoutMs: DELIVERY_TIMEOUT_MS, description: 'every accepted event delivered' },
    );
    expect(new Set(arrived.map((w) => w.webhookId))).toEqual(new Set(accepted.map((i) => i.id)));
    expect(arrived.every((w) => w.verified)).toBe(true);
    const first = arrived.find((w) => w.webhookId === items[0]!.id)!;
    expect(first.body).toContain('"big":1234567890123456789');
    // Nothing else arrives, and the list holds exactly the accepted events.
    await holdsFor(
      () => ctx.receiver.received('batch'),
      (r) => r.length > accepted.length,
      1_500,
    );
    const listed = await waitUntil(
      () => tenantEvents(ctx.api, tenantId),
      (l) => l.length >= accepted.length,
      { timeoutMs: DELIVERY_TIMEOUT_MS, description: 'accepted events listed' },
    );
    expect(new Set(listed.map((e) => e.id))).toEqual(new Set(accepted.map((i) => i.id)));
  });

  it('names one event by (tenant, key) on both publish routes', async () => {
    const tenantId = uniqueTenant('batchkey');
    const event = { type: 'order.placed', tenantId, data: orderPlaced('b-1') };
    const single = await publish(ctx.api, event, 'order-b-1');
    expect(single.status).toBe(202);
    const batch = await ctx.api.post<{ items: BatchItem[] }>('/v1/events/batch', {
      events: [
        { ...event, idempotencyKey: 'order-b-1' },
        { ...event, data: orderPlaced('b-2'), idempotencyKey: 'order-b-1' },
      ],
    });
    expect(batch.status).toBe(207);
    expect(batch.body.items[0]).toEqual({ status: 202, ...single.body });
    expect(batch.body.items[1]!.problem?.code).toBe('idempotency_key_reused');
  });

  it('refuses the whole request when it is not a list of 1 to 100 events, or the key is bad', async () => {
    const tenantId = uniqueTenant('batchbad');
    const many = Array.from({ length: 101 }, () => ({ type: 'a.b', tenantId, data: {} }));
    for (const [body, status, code] of [
      [{ events: [] }, 400, 'invalid_request'],
      [{ events: many }, 400, 'invalid_request'],
      [[{ type: 'a.b', tenantId, data: {} }], 400, 'invalid_request'],
    ] as const) {
      const response = await ctx.api.post<{ code: string }>('/v1/events/batch', body);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/problem\+json/);
      expect(response.body.code).toBe(code);
    }
    const unauthenticated = await ctx.api.post('/v1/events/batch', { events: [] }, { key: null });
    expect(unauthenticated.status).toBe(401);
    const tenantKey = await createKey(ctx.api, 'tenant', tenantId);
    const forbidden = await ctx.api
      .as(tenantKey.key)
      .post('/v1/events/batch', { events: [{ type: 'a.b', tenantId, data: {} }] });
    expect(forbidden.status).toBe(403);
    expect(await tenantEvents(ctx.api, tenantId)).toEqual([]);
  });

  it('stops a revoked publisher key within 5 s on both publish routes, with the same 401 document', async () => {
    const tenantId = uniqueTenant('revoke');
    const key = await createKey(ctx.api, 'publisher');
    const publisher = ctx.api.as(key.key);
    const event = { type: 'order.noted', tenantId, data: {} };
    expect((await publisher.post('/v1/events', event)).status).toBe(202);
    expect((await publisher.post('/v1/events/batch', { events: [event] })).status).toBe(207);
    expect((await ctx.api.request('DELETE', `/v1/keys/${key.id}`)).status).toBe(204);
    const started = Date.now();
    const refused = await waitUntil(
      async () => [
        await publisher.post('/v1/events', event),
        await publisher.post('/v1/events/batch', { events: [event] }),
      ],
      (answers) => answers.every((a) => a.status === 401),
      { timeoutMs: 7_000, intervalMs: 200, description: 'the revoked key refused' },
    );
    expect(Date.now() - started).toBeLessThan(6_000);
    // The same problem document as a management route answers for the same key.
    const management = await publisher.get('/v1/endpoints?tenantId=x');
    expect(management.status).toBe(401);
    for (const answer of refused) {
      const { instance: _a, ...problem } = answer.body as Record<string, unknown>;
      const { instance: _b, ...expected } = management.body as Record<string, unknown>;
      expect(problem).toEqual(expected);
    }
  });
});
