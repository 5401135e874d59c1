import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeApi, startFakeApi } from './fake-api.js';
import { herald } from './harness.js';

describe('what the runbooks read: endpoints list health, events list, events get jobs', () => {
  let api: FakeApi;
  const cli = (...argv: string[]) => herald([...argv, '--url', api.url, '--key', 'k']);
  beforeAll(async () => {
    api = await startFakeApi();
  });
  afterAll(() => api.close());
  beforeEach(() => {
    api.requests.length = 0;
  });

  it('endpoints list shows each endpoint’s health, breaker, streak and since when it fails', async () => {
    api.on('GET', '/v1/endpoints', {
      status: 200,
      body: {
        items: [
          {
            id: 'ep_down',
            tenantId: 't_1',
            url: 'https://down.example',
            eventTypes: ['order.*'],
            enabled: true,
            health: {
              status: 'open',
              breaker: 'open',
              failureStreak: 12,
              failingSince: '2026-12-07T10:00:00.000Z',
              openReason: 'failures',
            },
            backlog: { count: 40, oldestAt: '2026-12-07T10:01:00.000Z', draining: false, expired: 0 },
          },
          {
            id: 'ep_ok',
            tenantId: 't_1',
            url: 'https://ok.example',
            eventTypes: ['*'],
            enabled: true,
            health: { status: 'healthy', breaker: 'closed', failureStreak: 0 },
            backlog: { count: 0, draining: false, expired: 0 },
          },
        ],
      },
    });
    const result = await cli('endpoints', 'list', '--tenant', 't_1');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/HEALTH\s+BREAKER\s+STREAK\s+FAILING SINCE\s+BACKLOG/);
    expect(result.stdout).toMatch(
      /ep_down\s+yes\s+open \(failures\)\s+open\s+12\s+2026-12-07T10:00:00.000Z\s+40 since 2026-12-07T10:01:00.000Z/,
    );
    expect(result.stdout).toMatch(/ep_ok\s+yes\s+healthy\s+closed\s+0\s+-\s+0\s/);
  });

  it('events list queries the tenant’s window and type', async () => {
    api.on('GET', '/v1/events', {
      status: 200,
      body: {
        items: [
          {
            id: 'evt_1',
            type: 'upload.completed',
            tenantId: 't_1',
            createdAt: '2026-12-07T10:00:00.000Z',
            data: { a: 1 },
          },
        ],
        nextCursor: 'c2',
      },
    });
    const result = await cli(
      'events',
      'list',
      '--tenant',
      't_1',
      '--since',
      '2026-12-07T09:00:00Z',
      '--type',
      'upload.completed',
      '--order',
      'desc',
    );
    expect(result.code).toBe(0);
    const query = api.requests[0]?.query;
    expect(query?.get('tenantId')).toBe('t_1');
    expect(query?.get('since')).toBe('2026-12-07T09:00:00.000Z');
    expect(query?.get('type')).toBe('upload.completed');
    expect(query?.get('order')).toBe('desc');
    expect(result.stdout).toMatch(/evt_1\s+upload.completed\s+2026-12-07T10:00:00.000Z\s+\{"a":1\}/);
    expect(result.stdout).toContain('More: --cursor c2');
  });

  it('events get shows the jobs that ran and what they emitted', async () => {
    api.on('GET', '/v1/events/evt_1', {
      status: 200,
      body: {
        id: 'evt_1',
        type: 'upload.completed',
        tenantId: 't_1',
        createdAt: '2026-12-07T10:00:00.000Z',
        data: {},
        jobs: [
          { job: 'classify', state: 'completed', at: '2026-12-07T10:00:01.000Z', emitted: ['evt_2'] },
          { job: 'invoice', state: 'failed', attempts: 3, errorClass: 'TypeError', error: 'x is undefined' },
        ],
        deliveries: [],
      },
    });
    const result = await cli('events', 'get', 'evt_1');
    expect(result.stdout).toMatch(/classify\s+completed\s+-\s+2026-12-07T10:00:01.000Z\s+evt_2/);
    expect(result.stdout).toMatch(/invoice\s+failed\s+3\s+-\s+-\s+TypeError: x is undefined/);
  });

  it('events get against an API without job runs says so', async () => {
    api.on('GET', '/v1/events/evt_2', {
      status: 200,
      body: {
        id: 'evt_2',
        type: 'a.b',
        tenantId: 't_1',
        createdAt: '2026-12-07T10:00:00.000Z',
        data: {},
        deliveries: [],
      },
    });
    const result = await cli('events', 'get', 'evt_2');
    expect(result.stdout).toContain('(this API does not report job runs)');
  });
});
