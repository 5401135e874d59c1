/**
 * tenantId rules (issue 10, item 5): every route that takes a tenant id answers 400 `invalid_request`
 * naming `tenantId` unless it matches ^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$, and stores nothing. Composite
 * keys are escaped, so idempotency keys that only differ in where a `#` or `%` sits stay apart.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as ingest } from '../../../lambdas/api/ingest.handler.js';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { getInvoice, putInvoiceOnce } from '../../../lambdas/jobs/invoice-store.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import {
  apiEvent,
  fakeContext,
  type Harness,
  json,
  MAIN_TABLE,
  type RequestOptions,
  startHarness,
} from '../../support/harness.js';

let h: Harness;
let admin: string;

const BAD_TENANT_IDS = [
  'a#b',
  '-leading',
  '.dot',
  'has space',
  't/1',
  'tenänt',
  'x'.repeat(65),
  '',
  'a\u0000b',
];
const GOOD_TENANT_IDS = ['t', 'T_1', 'acme.eu-west:prod', `a${'b'.repeat(63)}`];

async function publish(options: RequestOptions) {
  return ingest(await apiEvent('POST', '/v1/events', options), fakeContext());
}

async function itemCount(): Promise<number> {
  return (await h.dynamo.send(new ScanCommand({ TableName: MAIN_TABLE, Select: 'COUNT' }))).Count ?? 0;
}

beforeAll(async () => {
  h = await startHarness();
  admin = (await createAdminKey(MAIN_TABLE)).key;
});

afterAll(async () => {
  await h?.stop();
});

const routes: ReadonlyArray<
  readonly [string, (tenantId: string) => Promise<{ statusCode?: number; body?: string }>]
> = [
  [
    'POST /v1/events',
    async (tenantId) => publish({ key: admin, body: { type: 'order.noted', tenantId, data: {} } }),
  ],
  [
    'POST /v1/keys',
    async (tenantId) =>
      management(await apiEvent('POST', '/v1/keys', { key: admin, body: { role: 'tenant', tenantId } })),
  ],
  [
    'POST /v1/endpoints',
    async (tenantId) =>
      management(
        await apiEvent('POST', '/v1/endpoints', {
          key: admin,
          body: { tenantId, url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] },
        }),
      ),
  ],
  [
    'GET /v1/endpoints',
    async (tenantId) =>
      management(await apiEvent('GET', '/v1/endpoints', { key: admin, query: { tenantId } })),
  ],
  [
    'GET /v1/events',
    async (tenantId) => management(await apiEvent('GET', '/v1/events', { key: admin, query: { tenantId } })),
  ],
  [
    'POST /v1/replay',
    async (tenantId) =>
      management(
        await apiEvent('POST', '/v1/replay', {
          key: admin,
          body: { tenantId, since: '2020-01-01T00:00:00Z', until: '2030-01-01T00:00:00Z' },
        }),
      ),
  ],
];

describe('tenantId pattern', () => {
  for (const [name, call] of routes) {
    describe(name, () => {
      it.each(BAD_TENANT_IDS.filter((t) => t !== ''))(
        '%j → 400 invalid_request on tenantId, nothing stored',
        async (tenantId) => {
          const before = await itemCount();
          const response = await call(tenantId);
          expect({
            status: response.statusCode,
            code: json(response).code,
            field: json(response).field,
          }).toEqual({
            status: 400,
            code: 'invalid_request',
            field: 'tenantId',
          });
          expect(await itemCount()).toBe(before);
        },
      );

      it.each(GOOD_TENANT_IDS)('%j is accepted', async (tenantId) => {
        const response = await call(tenantId);
        expect(response.statusCode).toBeLessThan(300);
      });
    });
  }

  it('POST /v1/events with an empty tenantId is 400 too', async () => {
    const response = await publish({ key: admin, body: { type: 'order.noted', tenantId: '', data: {} } });
    expect(json(response)).toMatchObject({ code: 'invalid_request', field: 'tenantId' });
  });
});

describe('composite keys', () => {
  it('Idempotency-Keys "b#c" and "b%23c" of one tenant are two events, not one (no 422)', async () => {
    const body = { type: 'order.noted', tenantId: 'a', data: { n: 1 } };
    const first = await publish({ key: admin, body, headers: { 'idempotency-key': 'b#c' } });
    const second = await publish({
      key: admin,
      body: { ...body, data: { n: 2 } },
      headers: { 'idempotency-key': 'b%23c' },
    });
    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    expect(json(first).id).not.toBe(json(second).id);
  });

  it('invoices of tenant "a#b" order "c" and tenant "a" order "b#c" are separate items', async () => {
    const invoice = (tenantId: string, orderId: string) => ({
      orderId,
      tenantId,
      eventId: `evt_${tenantId}`,
      currency: 'EUR',
      lines: [],
      subtotal: 0,
      taxRate: 0,
      tax: 0,
      total: 0,
      createdAt: new Date().toISOString(),
    });
    const one = await putInvoiceOnce(invoice('a#b', 'c'));
    const two = await putInvoiceOnce(invoice('a', 'b#c'));
    expect([one.created, two.created]).toEqual([true, true]);
    expect((await getInvoice('a', 'b#c'))?.tenantId).toBe('a');
    expect((await getInvoice('a#b', 'c'))?.tenantId).toBe('a#b');
  });
});
