import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as ingest } from '../../../lambdas/api/ingest.handler.js';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { documentClient } from '../../../lambdas/shared/aws-clients.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import { getEndpoint } from '../../../lambdas/shared/store/endpoints.js';
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
import { recordMessages, takePublished } from './pipeline.js';

let h: Harness;
let admin: string;
let publisher: string;
let tenant1: string;
let tenant2: string;

async function call(method: string, path: string, options: RequestOptions = {}) {
  return management(await apiEvent(method, path, options));
}

async function mint(body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const response = await call('POST', '/v1/keys', { key: admin, body });
  expect(response.statusCode).toBe(201);
  return json(response) as { id: string; key: string };
}

async function createEndpoint(key: string, body: Record<string, unknown>) {
  return call('POST', '/v1/endpoints', { key, body });
}

async function publish(body: Record<string, unknown>): Promise<string> {
  const response = await ingest(await apiEvent('POST', '/v1/events', { key: admin, body }), fakeContext());
  expect(response.statusCode).toBe(202);
  return json(response).id as string;
}

beforeAll(async () => {
  h = await startHarness();
  admin = (await createAdminKey(MAIN_TABLE)).key;
  publisher = (await mint({ role: 'publisher' })).key;
  tenant1 = (await mint({ role: 'tenant', tenantId: 't_1', name: 'tenant one' })).key;
  tenant2 = (await mint({ role: 'tenant', tenantId: 't_2' })).key;
});

afterAll(async () => {
  await h?.stop();
});

describe('auth matrix', () => {
  it('answers 401 problems without a key, with a malformed key and with an unknown key', async () => {
    for (const key of [undefined, 'not-a-key', `hrld_${'a'.repeat(16)}_${'b'.repeat(43)}`]) {
      const response = await call('GET', '/v1/endpoints', key === undefined ? {} : { key });
      expect(response.statusCode).toBe(401);
      expect(response.headers?.['content-type']).toBe('application/problem+json');
      expect(json(response).code).toBe('unauthorized');
    }
  });

  it('stops a revoked key within 5 s (the authorizer trusts a verified key that long, per container)', async () => {
    // Only Date is faked, and it stands still: the cache entry is written at exactly `t0`.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const t0 = Date.parse('2026-12-01T12:00:00.000Z');
      vi.setSystemTime(t0);
      const minted = await mint({ role: 'tenant', tenantId: 't_9' });
      expect((await call('GET', '/v1/endpoints', { key: minted.key })).statusCode).toBe(200);
      expect((await call('DELETE', `/v1/keys/${minted.id}`, { key: admin })).statusCode).toBe(204);
      vi.setSystemTime(t0 + 4_999);
      expect((await call('GET', '/v1/endpoints', { key: minted.key })).statusCode).toBe(200);
      vi.setSystemTime(t0 + 5_000);
      const after = await call('GET', '/v1/endpoints', { key: minted.key });
      expect(after.statusCode).toBe(401);
      expect((await call('DELETE', `/v1/keys/${minted.id}`, { key: admin })).statusCode).toBe(404);
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not remember a rejection: a key minted after a failed attempt works at once', async () => {
    const unknown = `hrld_${'c'.repeat(16)}_${'d'.repeat(43)}`;
    expect((await call('GET', '/v1/endpoints', { key: unknown })).statusCode).toBe(401);
    const minted = await mint({ role: 'tenant', tenantId: 't_9' });
    expect((await call('GET', '/v1/endpoints', { key: minted.key })).statusCode).toBe(200);
  });

  it('answers 403 to a publisher on management routes and to a tenant on admin routes', async () => {
    for (const [key, method, path] of [
      [publisher, 'GET', '/v1/endpoints'],
      [publisher, 'GET', '/v1/keys'],
      [publisher, 'GET', '/v1/dlq'],
      [tenant1, 'GET', '/v1/keys'],
      [tenant1, 'GET', '/v1/dlq'],
    ] as const) {
      const response = await call(method, path, { key, query: { tenantId: 't_1' } });
      expect({ path, status: response.statusCode }).toEqual({ path, status: 403 });
      expect(json(response).code).toBe('forbidden');
    }
    const mintByTenant = await call('POST', '/v1/keys', { key: tenant1, body: { role: 'admin' } });
    expect(mintByTenant.statusCode).toBe(403);
  });

  it("answers 404 to a tenant key reaching another tenant's endpoint, event and deliveries", async () => {
    const ep = json(await createEndpoint(tenant2, { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] }));
    const eventId = await publish({ type: 'order.noted', tenantId: 't_2', data: {} });
    for (const [method, path] of [
      ['GET', `/v1/endpoints/${ep.id}`],
      ['PATCH', `/v1/endpoints/${ep.id}`],
      ['DELETE', `/v1/endpoints/${ep.id}`],
      ['POST', `/v1/endpoints/${ep.id}/rotate-secret`],
      ['GET', `/v1/events/${eventId}`],
      ['GET', `/v1/events/${eventId}/deliveries`],
      ['POST', `/v1/events/${eventId}/replay`],
    ] as const) {
      const response = await call(method, path, {
        key: tenant1,
        ...(method === 'PATCH' ? { body: { enabled: false } } : {}),
      });
      expect({ path, method, status: response.statusCode }).toEqual({ path, method, status: 404 });
      expect(json(response).code).toBe('not_found');
    }
    const list = await call('GET', '/v1/endpoints', { key: tenant1, query: { tenantId: 't_2' } });
    expect(list.statusCode).toBe(404);
    // the owner still sees it, unchanged
    expect(json(await call('GET', `/v1/endpoints/${ep.id}`, { key: tenant2 })).enabled).toBe(true);
    await receiveAll(h.sqs, h.queues.subscriber, 60);
  });

  it('serves GET /v1/health without a key, and 404/400 problems for unknown routes and methods', async () => {
    const health = await call('GET', '/v1/health');
    expect(health.statusCode).toBe(200);
    expect(json(health)).toEqual({ status: 'ok' });
    expect(json(await call('GET', '/v1/nope', { key: admin })).code).toBe('not_found');
    expect((await call('PUT', '/v1/endpoints', { key: admin })).statusCode).toBe(400);
  });
});

describe('keys', () => {
  it('lists keys without secrets or hashes', async () => {
    const response = await call('GET', '/v1/keys', { key: admin });
    expect(response.statusCode).toBe(200);
    const items = json(response).items as Record<string, unknown>[];
    expect(items.length).toBeGreaterThanOrEqual(4);
    for (const item of items) {
      expect(item).not.toHaveProperty('hash');
      expect(item).not.toHaveProperty('key');
    }
    expect(items.find((i) => i.name === 'tenant one')).toMatchObject({ role: 'tenant', tenantId: 't_1' });
  });

  it('pages with a cursor', async () => {
    const first = json(await call('GET', '/v1/keys', { key: admin, query: { limit: '2' } }));
    expect(first.items).toHaveLength(2);
    expect(typeof first.nextCursor).toBe('string');
    const second = json(
      await call('GET', '/v1/keys', { key: admin, query: { limit: '2', cursor: String(first.nextCursor) } }),
    );
    const ids = (x: Record<string, unknown>) => (x.items as { id: string }[]).map((i) => i.id);
    expect(ids(second).some((id) => ids(first).includes(id))).toBe(false);
    expect((await call('GET', '/v1/keys', { key: admin, query: { cursor: 'garbage' } })).statusCode).toBe(
      400,
    );
  });

  it('rejects a tenant key without tenantId', async () => {
    const response = await call('POST', '/v1/keys', { key: admin, body: { role: 'tenant' } });
    expect(response.statusCode).toBe(400);
    expect(json(response).field).toBe('tenantId');
  });
});

describe('endpoints', () => {
  it('returns the secret on create only; GET and list never show it', async () => {
    const created = await createEndpoint(tenant1, {
      url: 'http://127.0.0.1:8080/hooks',
      eventTypes: ['order.*'],
      description: 'orders',
    });
    expect(created.statusCode).toBe(201);
    const body = json(created);
    expect(body.secret).toMatch(/^whsec_/);
    expect(body).toMatchObject({ tenantId: 't_1', eventTypes: ['order.*'], enabled: true });
    expect(body.id).toMatch(/^ep_/);

    const read = await call('GET', `/v1/endpoints/${body.id}`, { key: tenant1 });
    expect(read.body).not.toContain('whsec_');
    expect(json(read)).not.toHaveProperty('secrets');
    const list = await call('GET', '/v1/endpoints', { key: admin, query: { tenantId: 't_1' } });
    expect(list.body).not.toContain('whsec_');
    expect((json(list).items as { id: string }[]).map((i) => i.id)).toContain(body.id);
  });

  it.each([
    ['not a URL', 'not a url', 'invalid_url'],
    ['not https', 'http://example.com/hook', 'invalid_url'],
    ['credentials', 'https://user:pw@example.com/hook', 'invalid_url'],
    ['private address', 'https://10.0.0.1/hook', 'forbidden_address'],
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data', 'forbidden_address'],
    ['decimal loopback', 'https://2130706433/hook', 'forbidden_address'],
  ])('rejects %s (%s) with %s and stores nothing', async (_name, url, code) => {
    const before = json(await call('GET', '/v1/endpoints', { key: tenant1 })).items as unknown[];
    const response = await createEndpoint(tenant1, { url, eventTypes: ['*'] });
    expect(response.statusCode).toBe(400);
    expect(json(response).code).toBe(code);
    const after = json(await call('GET', '/v1/endpoints', { key: tenant1 })).items as unknown[];
    expect(after).toHaveLength(before.length);
  });

  it('PATCH disables and changes fields, and rejects unknown fields', async () => {
    const ep = json(await createEndpoint(tenant1, { url: 'http://127.0.0.1:8081/h', eventTypes: ['a.*'] }));
    const patched = await call('PATCH', `/v1/endpoints/${ep.id}`, {
      key: tenant1,
      body: { enabled: false, eventTypes: ['a.b', 'c.*'], description: 'now off' },
    });
    expect(patched.statusCode).toBe(200);
    expect(json(patched)).toMatchObject({
      enabled: false,
      eventTypes: ['a.b', 'c.*'],
      description: 'now off',
    });
    const bad = await call('PATCH', `/v1/endpoints/${ep.id}`, { key: tenant1, body: { secrets: [] } });
    expect(bad.statusCode).toBe(400);
    expect(json(bad).field).toBe('secrets');
    const ssrf = await call('PATCH', `/v1/endpoints/${ep.id}`, {
      key: tenant1,
      body: { url: 'https://192.168.1.1/' },
    });
    expect(json(ssrf).code).toBe('forbidden_address');
    expect(json(await call('GET', `/v1/endpoints/${ep.id}`, { key: tenant1 })).url).toBe(
      'http://127.0.0.1:8081/h',
    );
  });

  it('rotate-secret answers a new secret and keeps the old one with an expiry', async () => {
    const ep = json(await createEndpoint(tenant1, { url: 'http://127.0.0.1:8082/h', eventTypes: ['*'] }));
    const rotated = await call('POST', `/v1/endpoints/${ep.id}/rotate-secret`, { key: tenant1 });
    expect(rotated.statusCode).toBe(200);
    const body = json(rotated);
    expect(body.secret).toMatch(/^whsec_/);
    expect(body.secret).not.toBe(ep.secret);
    const graceEnd = Date.parse(String(body.previousSecretExpiresAt));
    expect(graceEnd - Date.now()).toBeGreaterThan(3590_000);
    expect(graceEnd - Date.now()).toBeLessThanOrEqual(3600_000);

    const item = await documentClient().send(
      new GetCommand({ TableName: MAIN_TABLE, Key: { pk: `EP#${ep.id}`, sk: 'EP' } }),
    );
    expect(JSON.stringify(item.Item)).not.toContain('whsec_'); // sealed at rest (endpoint-secrets.test.ts)
    const secrets = (await getEndpoint(String(ep.id)))?.secrets ?? [];
    expect(secrets.map((s) => s.secret)).toEqual([body.secret, ep.secret]);
    expect(secrets[0]?.expiresAt).toBeUndefined();
    expect(secrets[1]?.expiresAt).toBe(Math.floor(graceEnd / 1000));
    expect((await call('GET', `/v1/endpoints/${ep.id}`, { key: tenant1 })).body).not.toContain('whsec_');
  });

  it('DELETE removes the endpoint', async () => {
    const ep = json(await createEndpoint(tenant1, { url: 'http://127.0.0.1:8083/h', eventTypes: ['*'] }));
    expect((await call('DELETE', `/v1/endpoints/${ep.id}`, { key: tenant1 })).statusCode).toBe(204);
    expect((await call('GET', `/v1/endpoints/${ep.id}`, { key: tenant1 })).statusCode).toBe(404);
  });
});

describe('events and replay', () => {
  it('lists events by tenant and time, shows deliveries, and replays to matching endpoints', async () => {
    const epA = json(
      await createEndpoint(admin, {
        tenantId: 't_r',
        url: 'http://127.0.0.1:9001/a',
        eventTypes: ['user.*'],
      }),
    );
    const epB = json(
      await createEndpoint(admin, { tenantId: 't_r', url: 'http://127.0.0.1:9002/b', eventTypes: ['*'] }),
    );
    await createEndpoint(admin, { tenantId: 't_r', url: 'http://127.0.0.1:9003/c', eventTypes: ['order.*'] });
    const since = new Date(Date.now() - 1000).toISOString();
    const e1 = await publish({ type: 'user.created', tenantId: 't_r', data: { n: 1 } });
    const e2 = await publish({ type: 'user.deleted', tenantId: 't_r', data: { n: 2 } });
    // Publishing is the commit point: the events are listed once dispatch has recorded them.
    await recordMessages(await takePublished(h, 't_r'));

    const list = json(await call('GET', '/v1/events', { key: admin, query: { tenantId: 't_r', since } }));
    expect((list.items as { id: string }[]).map((e) => e.id)).toEqual([e1, e2]);

    // A delivery item as the webhooks part writes it shows up in the summary and on attempts.
    const now = new Date().toISOString();
    await documentClient().send(
      new (await import('@aws-sdk/lib-dynamodb')).PutCommand({
        TableName: MAIN_TABLE,
        Item: {
          pk: `EVT#${e1}`,
          sk: `DLV#${epA.id}`,
          eventId: e1,
          endpointId: epA.id,
          tenantId: 't_r',
          state: 'failed',
          generation: 0,
          attempts: 8,
          createdAt: now,
          updatedAt: now,
        },
      }),
    );
    await documentClient().send(
      new (await import('@aws-sdk/lib-dynamodb')).PutCommand({
        TableName: MAIN_TABLE,
        Item: {
          pk: `EVT#${e1}`,
          sk: `ATT#${epA.id}#000#001`,
          eventId: e1,
          endpointId: epA.id,
          generation: 0,
          attempt: 1,
          at: now,
          statusCode: 500,
          durationMs: 12,
          outcome: 'retrying',
        },
      }),
    );
    const read = json(await call('GET', `/v1/events/${e1}`, { key: admin }));
    expect(read.deliveries).toEqual([
      expect.objectContaining({ endpointId: epA.id, state: 'failed', attempts: 8 }),
    ]);
    const attempts = json(await call('GET', `/v1/events/${e1}/deliveries`, { key: admin }));
    expect(attempts.items).toEqual([
      expect.objectContaining({
        endpointId: epA.id,
        attempt: 1,
        statusCode: 500,
        outcome: 'retrying',
        state: 'failed',
      }),
    ]);

    const replay = await call('POST', `/v1/events/${e1}/replay`, { key: admin });
    expect(replay.statusCode).toBe(202);
    expect(json(replay).replayed).toBe(2);
    const one = await call('POST', `/v1/events/${e1}/replay`, { key: admin, body: { endpointId: epB.id } });
    expect(json(one).replayed).toBe(1);
    const sent = (await receiveAll(h.sqs, h.queues.dispatch, 60)).map((m) => JSON.parse(m.Body!));
    expect(sent).toHaveLength(3);
    expect(sent).toEqual(
      expect.arrayContaining([
        { kind: 'herald.redeliver', eventId: e1, endpointId: epA.id, reason: 'replay' },
        { kind: 'herald.redeliver', eventId: e1, endpointId: epB.id, reason: 'replay' },
      ]),
    );

    const bulk = await call('POST', '/v1/replay', {
      key: admin,
      body: { tenantId: 't_r', since, until: new Date(Date.now() + 1000).toISOString() },
    });
    expect(bulk.statusCode).toBe(202);
    expect(json(bulk)).toMatchObject({ replayed: 4, events: 2, truncated: false });
    const failedOnly = await call('POST', '/v1/replay', {
      key: admin,
      body: { tenantId: 't_r', since, until: new Date(Date.now() + 1000).toISOString(), status: 'failed' },
    });
    expect(json(failedOnly).replayed).toBe(1);
    const bulkSent = (await receiveAll(h.sqs, h.queues.dispatch, 60)).map((m) => JSON.parse(m.Body!));
    expect(bulkSent).toHaveLength(5);

    // What an endpoint missed, counted first (nothing sent), then delivered through its backlog.
    const window = { tenantId: 't_r', since, until: new Date(Date.now() + 1000).toISOString() };
    const missed = { ...window, endpointId: epA.id, status: ['failed', 'skipped'] };
    const dry = await call('POST', '/v1/replay', { key: admin, body: { ...missed, dryRun: true } });
    expect(dry.statusCode).toBe(200);
    expect(json(dry)).toMatchObject({ dryRun: true, wouldReplay: 1, events: 1, truncated: false });
    expect(await receiveAll(h.sqs, h.queues.dispatch, 5)).toHaveLength(0);
    const gentle = await call('POST', '/v1/replay', {
      key: admin,
      body: { ...missed, throughBacklog: true },
    });
    expect(json(gentle)).toMatchObject({ replayed: 1 });
    const gentleSent = (await receiveAll(h.sqs, h.queues.dispatch, 60)).map((m) => JSON.parse(m.Body!));
    expect(gentleSent).toEqual([
      { kind: 'herald.redeliver', eventId: e1, endpointId: epA.id, reason: 'replay', throughBacklog: true },
    ]);
    const noEndpoint = await call('POST', '/v1/replay', {
      key: admin,
      body: { ...window, throughBacklog: true },
    });
    expect(noEndpoint.statusCode).toBe(400);
    expect(json(noEndpoint)).toMatchObject({ code: 'invalid_request', field: 'throughBacklog' });
    const badStatus = await call('POST', '/v1/replay', {
      key: admin,
      body: { ...window, status: ['failed', 'lost'] },
    });
    expect(badStatus.statusCode).toBe(400);
    expect(json(badStatus)).toMatchObject({ field: 'status' });
    expect(
      bulkSent
        .filter((m) => m.eventId === e2)
        .map((m) => m.endpointId)
        .sort(),
    ).toEqual([epA.id, epB.id].sort());
  });
});

describe('dead-letter queues', () => {
  it('lists DLQs with depth and age, peeks without losing, and redrives with a count', async () => {
    for (let i = 0; i < 3; i++) {
      h.fauxqs.sendMessage('invoice-dlq', JSON.stringify({ id: `evt_${i}`, type: 'order.placed' }), {
        messageAttributes: { type: { DataType: 'String', StringValue: 'order.placed' } },
      });
    }
    h.fauxqs.sendMessage(
      'webhook-dlq',
      JSON.stringify({ kind: 'herald.redeliver', eventId: 'evt_x', endpointId: 'ep_x', reason: 'redrive' }),
    );

    const list = json(await call('GET', '/v1/dlq', { key: admin }));
    expect(list.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'invoice-dlq',
          sourceQueue: 'invoice',
          depth: 3,
          oldestMessageAgeSeconds: expect.any(Number),
        }),
        expect.objectContaining({ name: 'webhook-dlq', sourceQueue: 'dispatch', depth: 1 }),
      ]),
    );

    const peek = await call('GET', '/v1/dlq/invoice-dlq/messages', { key: admin, query: { limit: '10' } });
    expect(peek.statusCode).toBe(200);
    const peeked = json(peek).items as { body: { id: string }; receiveCount: number }[];
    expect(peeked.map((m) => m.body.id).sort()).toEqual(['evt_0', 'evt_1', 'evt_2']);
    expect(peeked.every((m) => m.receiveCount >= 1)).toBe(true);
    // nothing lost: all three are immediately receivable again
    expect(h.fauxqs.inspectQueue('invoice-dlq')?.messages.ready).toHaveLength(3);

    const redrive = await call('POST', '/v1/dlq/invoice-dlq/redrive', { key: admin, body: { limit: 2 } });
    expect(redrive.statusCode).toBe(200);
    expect(json(redrive)).toMatchObject({ moved: 2, failed: 0, sourceQueue: 'invoice' });
    const rest = await call('POST', '/v1/dlq/invoice-dlq/redrive', { key: admin });
    expect(json(rest)).toMatchObject({ moved: 1, failed: 0 });
    const moved = await receiveAll(h.sqs, h.queues.work, 60);
    expect(moved.map((m) => JSON.parse(m.Body!).id).sort()).toEqual(['evt_0', 'evt_1', 'evt_2']);
    expect(moved[0]?.MessageAttributes?.type?.StringValue).toBe('order.placed');
    expect(h.fauxqs.inspectQueue('invoice-dlq')?.messages.ready).toHaveLength(0);
    expect(h.fauxqs.inspectQueue('invoice-dlq')?.messages.inflight).toHaveLength(0);

    const webhook = json(await call('POST', '/v1/dlq/webhook-dlq/redrive', { key: admin }));
    expect(webhook.moved).toBe(1);
    const redelivered = await receiveAll(h.sqs, h.queues.dispatch, 60);
    expect(JSON.parse(redelivered[0]!.Body!)).toMatchObject({ kind: 'herald.redeliver', eventId: 'evt_x' });

    expect((await call('GET', '/v1/dlq/nope/messages', { key: admin })).statusCode).toBe(404);
  });
});
