import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as ingest } from '../../../lambdas/api/ingest.handler.js';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import {
  apiEvent,
  fakeContext,
  type Harness,
  json,
  MAIN_TABLE,
  type RequestOptions,
  receiveAll,
  startHarness,
} from '../../support/harness.js';
import { dispatchMessages } from './pipeline.js';

let h: Harness;
let admin: string;
let publisher: string;
let boundPublisher: string;
let tenantKey: string;

async function publish(options: RequestOptions) {
  return ingest(await apiEvent('POST', '/v1/events', options), fakeContext());
}

async function mint(body: Record<string, unknown>): Promise<string> {
  const response = await management(await apiEvent('POST', '/v1/keys', { key: admin, body }));
  expect(response.statusCode).toBe(201);
  return json(response).key as string;
}

async function storedEventCount(): Promise<number> {
  const result = await h.dynamo.send(
    new ScanCommand({
      TableName: MAIN_TABLE,
      FilterExpression: 'sk = :sk',
      ExpressionAttributeValues: { ':sk': { S: 'EVT' } },
    }),
  );
  return result.Count ?? 0;
}

beforeAll(async () => {
  h = await startHarness();
  admin = (await createAdminKey(MAIN_TABLE)).key;
  publisher = await mint({ role: 'publisher' });
  boundPublisher = await mint({ role: 'publisher', tenantId: 't_1' });
  tenantKey = await mint({ role: 'tenant', tenantId: 't_1' });
});

afterAll(async () => {
  await h?.stop();
});

describe('POST /v1/events', () => {
  describe('happy path', () => {
    it('publishes the event to SNS with type and tenantId attributes; dispatch records it', async () => {
      const response = await publish({
        key: publisher,
        body: { type: 'order.noted', tenantId: 't_1', data: { orderId: 'o1' } },
      });
      expect(response.statusCode).toBe(202);
      const accepted = json(response);
      expect(accepted.id).toMatch(/^evt_[0-9A-Z]{26}$/);
      expect(accepted).toMatchObject({ type: 'order.noted', tenantId: 't_1' });
      expect(Number.isNaN(Date.parse(String(accepted.createdAt)))).toBe(false);

      const messages = await receiveAll(h.sqs, h.queues.subscriber);
      expect(messages).toHaveLength(1);
      const message = messages[0]!;
      expect(JSON.parse(message.Body!)).toEqual({
        id: accepted.id,
        type: 'order.noted',
        tenantId: 't_1',
        createdAt: accepted.createdAt,
        data: { orderId: 'o1' },
      });
      expect(message.MessageAttributes?.type?.StringValue).toBe('order.noted');
      expect(message.MessageAttributes?.tenantId?.StringValue).toBe('t_1');
      expect(message.MessageAttributes?.source?.StringValue).toBe('api');
      expect(message.MessageAttributes?.publishId?.StringValue).toMatch(/^[0-9a-f-]{36}$/);
      // Publishing is the commit point: the event is recorded when the message reaches dispatch.
      expect(await dispatchMessages([message])).toBe(0);

      const read = await management(await apiEvent('GET', `/v1/events/${accepted.id}`, { key: admin }));
      expect(read.statusCode).toBe(200);
      expect(json(read)).toMatchObject({
        id: accepted.id,
        data: { orderId: 'o1' },
        source: 'api',
        deliveries: [],
      });
    });

    it('gives a new event id to each request without an Idempotency-Key', async () => {
      const body = { type: 'order.noted', tenantId: 't_1', data: {} };
      const first = json(await publish({ key: admin, body }));
      const second = json(await publish({ key: admin, body }));
      expect(first.id).not.toBe(second.id);
      await receiveAll(h.sqs, h.queues.subscriber, 60);
    });
  });

  describe('Idempotency-Key', () => {
    it('answers the same event for the same key and body, and 422 for another body without storing', async () => {
      const body = { type: 'order.noted', tenantId: 't_1', data: { n: 1 } };
      const headers = { 'Idempotency-Key': 'order-1' };
      const first = await publish({ key: publisher, body, headers });
      const again = await publish({ key: publisher, body, headers });
      expect(first.statusCode).toBe(202);
      expect(again.statusCode).toBe(202);
      expect(json(again)).toEqual(json(first));
      const before = await storedEventCount();

      const other = await publish({ key: publisher, body: { ...body, data: { n: 2 } }, headers });
      expect(other.statusCode).toBe(422);
      expect(json(other).code).toBe('idempotency_key_reused');
      expect(await storedEventCount()).toBe(before);
      // exactly one publish for the key
      expect(await receiveAll(h.sqs, h.queues.subscriber, 60)).toHaveLength(1);
    });

    it('scopes keys to the tenant', async () => {
      const headers = { 'Idempotency-Key': 'shared-key' };
      const a = json(
        await publish({ key: admin, body: { type: 'a.b', tenantId: 't_a', data: {} }, headers }),
      );
      const b = json(
        await publish({ key: admin, body: { type: 'a.b', tenantId: 't_b', data: {} }, headers }),
      );
      expect(a.id).not.toBe(b.id);
      await receiveAll(h.sqs, h.queues.subscriber, 60);
    });

    it('rejects a key longer than 255 characters', async () => {
      const response = await publish({
        key: admin,
        body: { type: 'a.b', tenantId: 't_1', data: {} },
        headers: { 'Idempotency-Key': 'k'.repeat(256) },
      });
      expect(response.statusCode).toBe(400);
    });
  });

  describe('roles', () => {
    it.each([
      ['tenant key', 403, 'forbidden', (): string | undefined => tenantKey],
      ['publisher bound to another tenant', 403, 'forbidden', (): string | undefined => boundPublisher],
      ['no key', 401, 'unauthorized', (): string | undefined => undefined],
      ['malformed key', 401, 'unauthorized', (): string | undefined => 'hrld_nope'],
    ] as const)('%s → %i %s', async (_name, status, code, key) => {
      const k = key();
      const response = await publish({
        ...(k !== undefined ? { key: k } : {}),
        body: { type: 'order.placed', tenantId: 't_2', data: {} },
      });
      expect(response.statusCode).toBe(status);
      expect(response.headers?.['content-type']).toBe('application/problem+json');
      expect(json(response).code).toBe(code);
    });

    it('lets a bound publisher publish for its own tenant', async () => {
      const response = await publish({
        key: boundPublisher,
        body: { type: 'a.b', tenantId: 't_1', data: {} },
      });
      expect(response.statusCode).toBe(202);
      await receiveAll(h.sqs, h.queues.subscriber, 60);
    });
  });

  describe('hostile bodies store and publish nothing', () => {
    const cases: [string, number, string, RequestOptions][] = [
      [
        'wrong content type',
        415,
        'unsupported_media_type',
        { rawBody: '{}', headers: { 'content-type': 'text/plain' } },
      ],
      ['malformed JSON', 400, 'invalid_request', { rawBody: '{"type":' }],
      ['empty body', 400, 'invalid_request', { rawBody: '' }],
      [
        'over 256 KiB',
        413,
        'payload_too_large',
        { body: { type: 'a.b', tenantId: 't_1', data: { blob: 'x'.repeat(262_144) } } },
      ],
      [
        'nested deeper than 32',
        400,
        'invalid_request',
        { rawBody: `{"type":"a.b","tenantId":"t_1","data":${'['.repeat(40)}${']'.repeat(40)}}` },
      ],
      ['bad type', 400, 'invalid_request', { body: { type: 'Order Placed', tenantId: 't_1', data: {} } }],
      [
        'unknown field',
        400,
        'invalid_request',
        { body: { type: 'a.b', tenantId: 't_1', data: {}, extra: 1 } },
      ],
      [
        'tenantId too long',
        400,
        'invalid_request',
        { body: { type: 'a.b', tenantId: 't'.repeat(65), data: {} } },
      ],
    ];
    it.each(cases)('%s → %i %s', async (_name, status, code, options) => {
      const before = await storedEventCount();
      const response = await publish({ key: admin, ...options });
      expect(response.statusCode).toBe(status);
      expect(json(response).code).toBe(code);
      expect(await storedEventCount()).toBe(before);
      expect(await receiveAll(h.sqs, h.queues.subscriber)).toHaveLength(0);
    });
  });
});
