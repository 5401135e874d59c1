/**
 * No orphan events (issue 10, item 4), against real emulators made to fail: SNS at a closed port
 * (the publish certainly failed) and SNS behind a proxy that lets the publish through but loses the
 * answer (the publish happened, ingest cannot know). An event answered with an error is never listed,
 * replayed or delivered; an event answered 202 is delivered; a client retry with its Idempotency-Key is
 * the same event.
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

/** A fresh ingest module whose SNS client points at `snsEndpoint` (clients are built once per module). */
async function ingestVia(snsEndpoint: string) {
  process.env.AWS_ENDPOINT_URL_SNS = snsEndpoint;
  vi.resetModules();
  return (await import('../../../lambdas/api/ingest.handler.js')).handler;
}

async function call(method: string, path: string, options: RequestOptions = {}) {
  return management(await apiEvent(method, path, { key: admin, ...options }));
}

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** Forwards to fauxqs, waits for its answer, runs `afterForward`, then drops the client's connection. */
async function answerLosingProxy(
  target: string,
  afterForward: () => Promise<void>,
): Promise<{ url: string; forwarded: () => number; close: () => Promise<void> }> {
  let forwarded = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const upstream = request(
        `${target}${req.url ?? '/'}`,
        { method: req.method, headers: req.headers },
        (answer) => {
          answer.resume();
          answer.on('end', () => {
            forwarded++;
            void afterForward().finally(() => res.socket?.destroy());
          });
        },
      );
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded: () => forwarded,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function listed(tenantId: string): Promise<unknown[]> {
  const response = await call('GET', '/v1/events', { query: { tenantId } });
  expect(response.statusCode).toBe(200);
  return JSON.parse(response.body!).items;
}

async function bulkReplay(tenantId: string) {
  const response = await call('POST', '/v1/replay', {
    body: { tenantId, since: '2020-01-01T00:00:00Z', until: '2100-01-01T00:00:00Z' },
  });
  expect(response.statusCode).toBe(202);
  return json(response);
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

async function endpointFor(tenantId: string): Promise<string> {
  const path = `/${tenantId}`;
  const response = await call('POST', '/v1/endpoints', {
    body: { tenantId, url: `${receiver.base}${path}`, eventTypes: ['*'] },
  });
  expect(response.statusCode).toBe(201);
  return path;
}

describe('publish certainly failed (SNS at a closed port)', () => {
  it('answers 503; nothing is listed, replayed or delivered; the keyed retry is one event, delivered', async () => {
    const tenantId = 't_closed';
    const path = await endpointFor(tenantId);
    const body = { type: 'test.happened', tenantId, data: { orderId: 'o-1' } };
    const headers = { 'idempotency-key': 'order-o-1' };

    const failing = await ingestVia(await closedPort());
    const refused = await failing(
      await apiEvent('POST', '/v1/events', { key: admin, body, headers }),
      fakeContext(),
    );
    expect({ status: refused.statusCode, code: json(refused).code }).toEqual({
      status: 503,
      code: 'unavailable',
    });
    expect(await listed(tenantId)).toEqual([]);
    expect(await bulkReplay(tenantId)).toMatchObject({ events: 0, replayed: 0 });

    const working = await ingestVia(goodSns);
    const accepted = await working(
      await apiEvent('POST', '/v1/events', { key: admin, body, headers }),
      fakeContext(),
    );
    expect(accepted.statusCode).toBe(202);
    const published = await takePublished(h, tenantId);
    expect(published).toHaveLength(1);
    expect(await dispatchMessages(published)).toBe(0);
    expect(receiver.on(path).map((r) => r.headers['webhook-id'])).toEqual([json(accepted).id]);
    expect((await listed(tenantId)).map((e) => (e as { id: string }).id)).toEqual([json(accepted).id]);
  });
});

describe('publish happened but its answer was lost', () => {
  it('answers 503 and voids the publish: the message reaches dispatch yet nothing is delivered or listed', async () => {
    const tenantId = 't_lost';
    const path = await endpointFor(tenantId);
    const proxy = await answerLosingProxy(goodSns, async () => undefined);
    try {
      const ingest = await ingestVia(proxy.url);
      const response = await ingest(
        await apiEvent('POST', '/v1/events', {
          key: admin,
          body: { type: 'test.happened', tenantId, data: {} },
        }),
        fakeContext(),
      );
      expect({ status: response.statusCode, code: json(response).code }).toEqual({
        status: 503,
        code: 'unavailable',
      });
      expect(proxy.forwarded()).toBeGreaterThanOrEqual(1);
    } finally {
      await proxy.close();
    }
    const published = await takePublished(h, tenantId);
    expect(published.length).toBeGreaterThanOrEqual(1);
    expect(await dispatchMessages(published)).toBe(0);
    expect(receiver.on(path)).toEqual([]);
    expect(await listed(tenantId)).toEqual([]);
    expect(await bulkReplay(tenantId)).toMatchObject({ events: 0 });
    const id = JSON.parse(published[0]!.Body!).id as string;
    expect((await call('GET', `/v1/events/${id}`)).statusCode).toBe(404);
  });

  it('answers 202 when dispatch recorded the event before ingest could void it, and delivers it once', async () => {
    const tenantId = 't_race';
    const path = await endpointFor(tenantId);
    let first = true;
    const proxy = await answerLosingProxy(goodSns, async () => {
      if (!first) return;
      first = false;
      // Dispatch takes the message while SNS's answer is still on its way back to ingest.
      process.env.AWS_ENDPOINT_URL_SNS = goodSns;
      expect(await dispatchMessages(await takePublished(h, tenantId))).toBe(0);
    });
    let response: Awaited<ReturnType<Awaited<ReturnType<typeof ingestVia>>>>;
    try {
      const ingest = await ingestVia(proxy.url);
      response = await ingest(
        await apiEvent('POST', '/v1/events', {
          key: admin,
          body: { type: 'test.happened', tenantId, data: {} },
        }),
        fakeContext(),
      );
    } finally {
      await proxy.close();
    }
    expect(response.statusCode).toBe(202);
    expect(await dispatchMessages(await takePublished(h, tenantId))).toBe(0);
    expect(receiver.on(path).map((r) => r.headers['webhook-id'])).toEqual([json(response).id]);
    expect(await listed(tenantId)).toHaveLength(1);
  });
});
