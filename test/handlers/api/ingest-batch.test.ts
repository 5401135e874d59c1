/**
 * POST /v1/events/batch through the ingest handler against dynalite and fauxqs (issue 21): per-item
 * results in request order, each item checked and answered as a single publish would be; the items
 * published with SNS PublishBatch, ten to a call; Idempotency-Key semantics per item and across the
 * two routes; and the no-orphan commit point per item — an item SNS did not take (or whose fate ingest
 * cannot know) answers 503 and is never delivered or listed, while the items beside it are.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as management } from '../../../lambdas/api/management.handler.js';
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
import { type Receiver, startReceiver } from '../webhooks/support.js';
import { dispatchMessages, takePublished } from './pipeline.js';

let h: Harness;
let receiver: Receiver;
let admin: string;
let goodSns: string;

interface Item {
  readonly status: number;
  readonly id?: string;
  readonly type?: string;
  readonly tenantId?: string;
  readonly createdAt?: string;
  readonly problem?: Record<string, unknown> & { status: number; code: string };
}

/** A fresh ingest module whose SNS client points at `snsEndpoint` (clients are built once per module). */
async function ingestVia(snsEndpoint: string) {
  process.env.AWS_ENDPOINT_URL_SNS = snsEndpoint;
  vi.resetModules();
  return (await import('../../../lambdas/api/ingest.handler.js')).handler;
}

async function batch(events: unknown, options: RequestOptions = {}, sns = goodSns) {
  const ingest = await ingestVia(sns);
  const response = await ingest(
    await apiEvent('POST', '/v1/events/batch', { key: admin, body: { events }, ...options }),
    fakeContext(),
  );
  return response;
}

async function call(method: string, path: string, options: RequestOptions = {}) {
  return management(await apiEvent(method, path, { key: admin, ...options }));
}

async function listed(tenantId: string): Promise<string[]> {
  const response = await call('GET', '/v1/events', { query: { tenantId } });
  expect(response.statusCode).toBe(200);
  return (JSON.parse(response.body!).items as { id: string }[]).map((e) => e.id);
}

/** Forwards to fauxqs and counts the SNS actions it saw; `rewrite` may change fauxqs' answer. */
async function snsProxy(
  target: string,
  rewrite: (action: string, answer: string) => string = (_a, answer) => answer,
): Promise<{ url: string; actions: string[]; close: () => Promise<void> }> {
  const actions: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString('utf8'))?.[1] ?? '?';
      actions.push(action);
      const upstream = request(
        `${target}${req.url ?? '/'}`,
        { method: req.method, headers: req.headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            const text = rewrite(action, Buffer.concat(parts).toString('utf8'));
            const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) };
            res.writeHead(answer.statusCode ?? 500, headers).end(text);
          });
        },
      );
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    actions,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Moves entry `id` of a PublishBatch answer from Successful to Failed: SNS took it, ingest is told not. */
function failEntry(id: string) {
  return (action: string, answer: string): string => {
    if (action !== 'PublishBatch') return answer;
    const entry = new RegExp(`<member>\\s*<Id>${id}</Id>[\\s\\S]*?</member>`).exec(answer);
    if (entry === null) return answer;
    const failed = `<member><Id>${id}</Id><Code>InternalError</Code><Message>lost</Message><SenderFault>false</SenderFault></member>`;
    return answer
      .replace(entry[0], '')
      .replace(/<Failed\s*\/>|<Failed>/, (m) =>
        m.endsWith('/>') ? `<Failed>${failed}</Failed>` : `<Failed>${failed}`,
      );
  };
}

beforeAll(async () => {
  h = await startHarness();
  goodSns = process.env.AWS_ENDPOINT_URL_SNS!;
  receiver = await startReceiver();
  admin = (await createAdminKey(MAIN_TABLE)).key;
});

afterAll(async () => {
  process.env.AWS_ENDPOINT_URL_SNS = goodSns;
  await receiver?.close();
  await h?.stop();
});

beforeEach(() => {
  process.env.AWS_ENDPOINT_URL_SNS = goodSns;
});

describe('POST /v1/events/batch', () => {
  it('answers 207 with each item as a single publish would, in order, publishing with PublishBatch', async () => {
    const tenantId = 't_batch_mixed';
    await call('POST', '/v1/endpoints', {
      body: { tenantId, url: `${receiver.base}/${tenantId}`, eventTypes: ['*'] },
    });
    const good = (n: number) => ({ type: 'test.happened', tenantId, data: { n } });
    const events = [
      good(0),
      { type: 'test.happened', tenantId, data: 'not an object' },
      good(2),
      { type: 'herald.delivery.exhausted', tenantId, data: {} },
      { ...good(4), extra: true },
      { type: 'test.happened', tenantId: 'bad tenant', data: {} },
      { ...good(6), idempotencyKey: '' },
      ...Array.from({ length: 12 }, (_, i) => good(7 + i)),
    ];
    const proxy = await snsProxy(goodSns);
    let response: Awaited<ReturnType<typeof batch>>;
    try {
      response = await batch(events, {}, proxy.url);
    } finally {
      await proxy.close();
    }
    expect(response.statusCode).toBe(207);
    expect(response.headers?.['content-type']).toBe('application/json');
    const items = json(response).items as Item[];
    expect(items.map((i) => i.status)).toEqual([202, 400, 202, 400, 400, 400, 400, ...Array(12).fill(202)]);
    for (const [index, field] of [
      [1, 'data'],
      [3, 'type'],
      [4, 'extra'],
      [5, 'tenantId'],
      [6, 'idempotencyKey'],
    ] as const) {
      expect(items[index]!.problem, `item ${index}`).toMatchObject({
        status: 400,
        code: 'invalid_request',
        title: 'Bad Request',
        type: 'https://herald.dev/problems/invalid_request',
        field,
      });
    }
    // The same problem document the single route answers for that event.
    const single = await (await ingestVia(goodSns))(
      await apiEvent('POST', '/v1/events', { key: admin, body: events[3] }),
      fakeContext(),
    );
    const { instance: _a, ...singleProblem } = json(single);
    const { instance: _b, ...itemProblem } = items[3]!.problem!;
    expect(itemProblem).toEqual(singleProblem);

    const accepted = items.filter((i) => i.status === 202);
    expect(accepted.every((i) => /^evt_[0-9A-Z]{26}$/.test(i.id!) && i.tenantId === tenantId)).toBe(true);
    // 14 events in two PublishBatch calls (10 + 4), nothing published one by one.
    expect(proxy.actions.filter((a) => a === 'PublishBatch')).toHaveLength(2);
    expect(proxy.actions).not.toContain('Publish');

    const published = await takePublished(h, tenantId);
    expect(published.map((m) => JSON.parse(m.Body!).id).sort()).toEqual(accepted.map((i) => i.id).sort());
    const publishIds = published.map((m) => m.MessageAttributes?.publishId?.StringValue);
    expect(new Set(publishIds).size).toBe(published.length);
    expect(await dispatchMessages(published)).toBe(0);
    expect(
      receiver
        .on(`/${tenantId}`)
        .map((r) => r.headers['webhook-id'])
        .sort(),
    ).toEqual(accepted.map((i) => i.id).sort());
    expect((await listed(tenantId)).sort()).toEqual(accepted.map((i) => i.id!).sort());
  });

  it("gives an item idempotencyKey the single route's semantics, across both routes", async () => {
    const tenantId = 't_batch_keys';
    const event = { type: 'test.happened', tenantId, data: { n: 1 } };
    const ingest = await ingestVia(goodSns);
    const single = await ingest(
      await apiEvent('POST', '/v1/events', {
        key: admin,
        body: event,
        headers: { 'Idempotency-Key': 'k-1' },
      }),
      fakeContext(),
    );
    expect(single.statusCode).toBe(202);
    const response = await batch([
      { ...event, idempotencyKey: 'k-1' },
      { ...event, data: { n: 2 }, idempotencyKey: 'k-1' },
      { ...event, data: { n: 3 }, idempotencyKey: 'k-3' },
      { ...event, data: { n: 3 }, idempotencyKey: 'k-3' },
      { ...event, data: { n: 4 }, idempotencyKey: 'k-3' },
    ]);
    const items = json(response).items as Item[];
    expect(items[0]).toEqual({ status: 202, ...json(single) });
    expect(items[1]!.problem?.code).toBe('idempotency_key_reused');
    expect(items[2]!.status).toBe(202);
    expect(items[3]).toEqual(items[2]);
    expect(items[4]!.problem).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
    // One message for the single publish, one for k-3: the repeats published nothing.
    const published = await takePublished(h, tenantId);
    expect(published.map((m) => JSON.parse(m.Body!).id).sort()).toEqual(
      [json(single).id, items[2]!.id].sort(),
    );
    // And the other way round: the batch's key answers the same event on the single route.
    const again = await ingest(
      await apiEvent('POST', '/v1/events', {
        key: admin,
        body: { ...event, data: { n: 3 } },
        headers: { 'Idempotency-Key': 'k-3' },
      }),
      fakeContext(),
    );
    expect({ status: 202, ...json(again) }).toEqual(items[2]);
  });

  it('keeps a publisher key bound to a tenant to it, item by item; refuses a tenant key as a whole', async () => {
    const bound = json(await call('POST', '/v1/keys', { body: { role: 'publisher', tenantId: 't_b1' } }))
      .key as string;
    const response = await batch(
      [
        { type: 'test.happened', tenantId: 't_b1', data: {} },
        { type: 'test.happened', tenantId: 't_b2', data: {} },
      ],
      { key: bound },
    );
    const items = json(response).items as Item[];
    expect(items.map((i) => i.status)).toEqual([202, 403]);
    expect(items[1]!.problem?.code).toBe('forbidden');
    await takePublished(h, 't_b1');
    const tenantKey = json(await call('POST', '/v1/keys', { body: { role: 'tenant', tenantId: 't_b1' } }))
      .key as string;
    const refused = await batch([{ type: 'test.happened', tenantId: 't_b1', data: {} }], { key: tenantKey });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers?.['content-type']).toBe('application/problem+json');
  });

  it.each([
    ['no events member', { rawBody: '{}' }, 400, 'invalid_request'],
    ['an empty list', { body: { events: [] } }, 400, 'invalid_request'],
    [
      '101 events',
      { body: { events: Array(101).fill({ type: 'a.b', tenantId: 't', data: {} }) } },
      400,
      'invalid_request',
    ],
    ['not JSON', { rawBody: '{"events": [' }, 400, 'invalid_request'],
    [
      'nesting deeper than 256',
      { rawBody: `{"events":[${'['.repeat(300)}${']'.repeat(300)}]}` },
      400,
      'invalid_request',
    ],
    [
      'a body over 4 MiB',
      {
        rawBody: JSON.stringify({
          events: [{ type: 'a.b', tenantId: 't', data: { s: 'x'.repeat(4_200_000) } }],
        }),
      },
      413,
      'payload_too_large',
    ],
    [
      'no JSON media type',
      { rawBody: '{"events":[]}', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported_media_type',
    ],
  ])('refuses the request as a whole for %s', async (_label, options, status, code) => {
    const ingest = await ingestVia(goodSns);
    const response = await ingest(
      await apiEvent('POST', '/v1/events/batch', { key: admin, ...options }),
      fakeContext(),
    );
    expect({ status: response.statusCode, code: json(response).code }).toEqual({ status, code });
    expect(response.headers?.['content-type']).toBe('application/problem+json');
  });

  it('answers 413 for one event over 256 KiB and accepts the rest', async () => {
    const tenantId = 't_batch_big';
    const response = await batch([
      { type: 'test.happened', tenantId, data: { s: 'x'.repeat(262_144) } },
      { type: 'test.happened', tenantId, data: {} },
    ]);
    expect((json(response).items as Item[]).map((i) => [i.status, i.problem?.code])).toEqual([
      [413, 'payload_too_large'],
      [202, undefined],
    ]);
    expect(await takePublished(h, tenantId)).toHaveLength(1);
  });
});

describe('no orphan events, per item', () => {
  it('answers 503 for every item when SNS is unreachable; nothing is listed; the keyed retry is the same events', async () => {
    const tenantId = 't_batch_down';
    const events = [0, 1, 2].map((n) => ({
      type: 'test.happened',
      tenantId,
      data: { n },
      idempotencyKey: `down-${n}`,
    }));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const closed = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refused = json(await batch(events, {}, closed)).items as Item[];
    expect(refused.map((i) => [i.status, i.problem?.code])).toEqual(Array(3).fill([503, 'unavailable']));
    expect(await listed(tenantId)).toEqual([]);

    const accepted = json(await batch(events)).items as Item[];
    expect(accepted.map((i) => i.status)).toEqual([202, 202, 202]);
    const published = await takePublished(h, tenantId);
    expect(published).toHaveLength(3);
    expect(await dispatchMessages(published)).toBe(0);
    expect((await listed(tenantId)).sort()).toEqual(accepted.map((i) => i.id!).sort());
  });

  it('voids the one entry SNS reported failed (though it went out): 503 for it, never delivered; the rest delivered', async () => {
    const tenantId = 't_batch_partial';
    await call('POST', '/v1/endpoints', {
      body: { tenantId, url: `${receiver.base}/${tenantId}`, eventTypes: ['*'] },
    });
    // Entries are named e0, e1, ... in the order they reach the publish: e1 is the second event.
    const proxy = await snsProxy(goodSns, failEntry('e1'));
    let items: Item[];
    try {
      items = json(
        await batch(
          [0, 1, 2].map((n) => ({ type: 'test.happened', tenantId, data: { n } })),
          {},
          proxy.url,
        ),
      ).items as Item[];
    } finally {
      await proxy.close();
    }
    expect(items.map((i) => i.status).sort()).toEqual([202, 202, 503]);
    const voided = items.find((i) => i.status === 503)!;
    expect(voided.problem?.code).toBe('unavailable');
    // SNS did take all three; dispatch drops the voided one on its tombstone.
    const published = await takePublished(h, tenantId);
    expect(published).toHaveLength(3);
    expect(await dispatchMessages(published)).toBe(0);
    const delivered = receiver.on(`/${tenantId}`).map((r) => r.headers['webhook-id']);
    const acceptedIds = items.filter((i) => i.status === 202).map((i) => i.id);
    expect(delivered.sort()).toEqual(acceptedIds.sort());
    expect((await listed(tenantId)).sort()).toEqual(acceptedIds.sort());
  });
});
