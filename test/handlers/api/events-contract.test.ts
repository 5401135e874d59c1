/**
 * POST /v1/events keeps its contract below the request (issue 10, items 1-3 and reserved types):
 * one (tenant, Idempotency-Key) is one event id forever; any valid JSON is accepted and reaches the
 * receiver with its numbers digit for digit; what cannot be published is a 413 before anything happens.
 */
import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as ingest } from '../../../lambdas/api/ingest.handler.js';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { documentClient } from '../../../lambdas/shared/aws-clients.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import {
  apiEvent,
  fakeContext,
  type Harness,
  IDEMPOTENCY_TABLE,
  json,
  MAIN_TABLE,
  type RequestOptions,
  startHarness,
} from '../../support/harness.js';
import { type Receiver, startReceiver } from '../webhooks/support.js';
import { dispatchMessages, takePublished } from './pipeline.js';

let h: Harness;
let receiver: Receiver;
let admin: string;

async function publish(options: RequestOptions) {
  return ingest(await apiEvent('POST', '/v1/events', { key: admin, ...options }), fakeContext());
}

async function call(method: string, path: string, options: RequestOptions = {}) {
  return management(await apiEvent(method, path, { key: admin, ...options }));
}

/** Forgets every idempotency record, as their TTL (or a crash before completion) would. */
async function forgetIdempotencyRecords(): Promise<number> {
  const items = (await documentClient().send(new ScanCommand({ TableName: IDEMPOTENCY_TABLE }))).Items ?? [];
  for (const item of items) {
    await documentClient().send(new DeleteCommand({ TableName: IDEMPOTENCY_TABLE, Key: { id: item.id } }));
  }
  return items.length;
}

beforeAll(async () => {
  h = await startHarness();
  receiver = await startReceiver();
  admin = (await createAdminKey(MAIN_TABLE)).key;
});

afterAll(async () => {
  await receiver?.close();
  await h?.stop();
});

describe('item 1: one (tenant, Idempotency-Key), one event id', () => {
  const body = { type: 'test.happened', tenantId: 't_idem', data: { orderId: 'o-1' } };

  it('gives the same id after the idempotency record is gone (expired, or never completed)', async () => {
    const first = await publish({ body, headers: { 'idempotency-key': 'order-o-1' } });
    expect(first.statusCode).toBe(202);
    expect(await forgetIdempotencyRecords()).toBeGreaterThan(0);
    const retry = await publish({ body, headers: { 'idempotency-key': 'order-o-1' } });
    expect(retry.statusCode).toBe(202);
    expect(json(retry).id).toBe(json(first).id);
    expect(json(first).id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('gives other ids to another key or another tenant', async () => {
    const ids = new Set<string>();
    for (const [tenantId, key] of [
      ['t_idem', 'k-1'],
      ['t_idem', 'k-2'],
      ['t_other', 'k-1'],
    ] as const) {
      const response = await publish({ body: { ...body, tenantId }, headers: { 'idempotency-key': key } });
      ids.add(String(json(response).id));
    }
    expect(ids.size).toBe(3);
  });

  it('delivers the retried event once to the receiver (same webhook-id)', async () => {
    await takePublished(h, 't_idem');
    const endpoint = await call('POST', '/v1/endpoints', {
      body: { tenantId: 't_idem', url: `${receiver.base}/idem`, eventTypes: ['test.happened'] },
    });
    expect(endpoint.statusCode).toBe(201);
    const a = await publish({ body, headers: { 'idempotency-key': 'order-o-9' } });
    await forgetIdempotencyRecords();
    const b = await publish({ body, headers: { 'idempotency-key': 'order-o-9' } });
    expect(json(a).id).toBe(json(b).id);
    const messages = await takePublished(h, 't_idem');
    expect(messages).toHaveLength(2);
    // One at a time, as SQS would hand a duplicate back after the first run recorded its outcome.
    for (const message of messages) expect(await dispatchMessages([message])).toBe(0);
    expect(receiver.on('/idem').map((r) => r.headers['webhook-id'])).toEqual([json(a).id]);
  });
});

describe('item 2: valid JSON is accepted and delivered digit for digit', () => {
  const DATA =
    '{"id":1234567890123456789,"x":1.5e20,"big":1e300,"tiny":1e-200,"neg":-9007199254740993,"e":1E+400}';

  it('answers 202 for numbers past double precision and delivers them as written', async () => {
    const endpoint = await call('POST', '/v1/endpoints', {
      body: { tenantId: 't_num', url: `${receiver.base}/num`, eventTypes: ['*'] },
    });
    expect(endpoint.statusCode).toBe(201);
    const response = await publish({
      rawBody: `{"type":"ledger.entry","tenantId":"t_num","data":  ${DATA.replace(',', ' , ')} }`,
    });
    expect(response.statusCode).toBe(202);
    const id = String(json(response).id);

    const published = await takePublished(h, 't_num');
    expect(published).toHaveLength(1);
    expect(published[0]!.Body).toContain(`"data":${DATA}`);
    expect(await dispatchMessages(published)).toBe(0);

    const [webhook] = receiver.on('/num');
    expect(webhook?.body).toBe(
      `{"id":"${id}","type":"ledger.entry","tenantId":"t_num","createdAt":"${json(response).createdAt}","data":${DATA}}`,
    );

    const read = await call('GET', `/v1/events/${id}`);
    expect(read.statusCode).toBe(200);
    expect(read.body).toContain(`"data":${DATA}`);
    const listed = await call('GET', '/v1/events', { query: { tenantId: 't_num' } });
    expect(listed.body).toContain(`"data":${DATA}`);
    expect(JSON.parse(listed.body!).items[0]).not.toHaveProperty('dataJson');
  });
});

describe('item 3: every accepted body is deliverable', () => {
  /** A body of exactly `bytes` bytes whose data is one string of x's. */
  function bodyOf(bytes: number, tenantId: string): string {
    const head = `{"type":"blob.put","tenantId":"${tenantId}","data":{"b":"`;
    return `${head}${'x'.repeat(bytes - head.length - 3)}"}}`;
  }

  it('answers 413 payload_too_large (not 500) for a body just under 256 KiB, and publishes nothing', async () => {
    const response = await publish({ rawBody: bodyOf(262_100, 't_big') });
    expect({ status: response.statusCode, code: json(response).code }).toEqual({
      status: 413,
      code: 'payload_too_large',
    });
    expect(json(response).limit).toBe(262_144);
    expect(await takePublished(h, 't_big')).toHaveLength(0);
  });

  it('accepts and delivers the largest body that fits, refuses one byte more', async () => {
    await call('POST', '/v1/endpoints', {
      body: { tenantId: 't_edge', url: `${receiver.base}/edge`, eventTypes: ['*'] },
    });
    const probe = await publish({ rawBody: bodyOf(262_000, 't_edge') });
    expect(probe.statusCode).toBe(413);
    const over = Number(json(probe).size) - 262_144;
    const fits = 262_000 - over;
    const tooBig = await publish({ rawBody: bodyOf(fits + 1, 't_edge') });
    expect(tooBig.statusCode).toBe(413);
    const ok = await publish({ rawBody: bodyOf(fits, 't_edge') });
    expect(ok.statusCode).toBe(202);
    const published = await takePublished(h, 't_edge');
    expect(published).toHaveLength(1);
    expect(await dispatchMessages(published)).toBe(0);
    expect(receiver.on('/edge')).toHaveLength(1);
    expect(Buffer.byteLength(receiver.on('/edge')[0]!.body)).toBeLessThanOrEqual(262_144);
  });
});

describe('reserved types', () => {
  it.each(['herald.endpoint.failing', 'herald.delivery.exhausted', 'herald.anything'])(
    '%s → 400 invalid_request naming type, nothing published',
    async (type) => {
      const response = await publish({ body: { type, tenantId: 't_res', data: {} } });
      expect(json(response)).toMatchObject({ status: 400, code: 'invalid_request', field: 'type' });
      expect(await takePublished(h, 't_res')).toHaveLength(0);
    },
  );
});
