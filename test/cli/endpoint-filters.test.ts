/** `herald endpoints create --filter`, `set-filter` and `preview-filter` against a fake API. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeApi, problem, startFakeApi } from './fake-api.js';
import { herald } from './harness.js';

describe('herald endpoints … filters', () => {
  let api: FakeApi;
  const cli = (...argv: string[]) => herald([...argv, '--url', api.url, '--key', 'test-key']);
  const filter = { data: { currency: ['EUR'] } };

  beforeAll(async () => {
    api = await startFakeApi();
  });
  afterAll(async () => {
    await api.close();
  });
  beforeEach(() => {
    api.requests.length = 0;
  });

  it('create --filter sends the filter and prints it with the warnings', async () => {
    api.on('POST', '/v1/endpoints', (r) => ({
      status: 201,
      body: {
        id: 'ep_1',
        enabled: true,
        secret: 'whsec_abc',
        ...(r.body as object),
        warnings: [
          {
            eventType: 'legacy.thing',
            message: 'legacy.thing has no schema: the filter is not checked against it',
          },
        ],
      },
    }));
    const result = await cli(
      'endpoints',
      'create',
      'https://h.example/h',
      '--tenant',
      't_1',
      '--types',
      'legacy.thing',
      '--filter',
      JSON.stringify(filter),
    );
    expect(result.code).toBe(0);
    expect(api.requests[0]?.body).toMatchObject({ eventTypes: ['legacy.thing'], filter });
    expect(result.stdout).toMatch(/^filter\s+\{"data":\{"currency":\["EUR"\]\}\}$/m);
    expect(result.stdout).toContain('warning: legacy.thing has no schema');
  });

  it('set-filter reads @file, and none removes the filter', async () => {
    api.on('PATCH', '/v1/endpoints/ep_1', (r) => ({
      status: 200,
      body: {
        id: 'ep_1',
        tenantId: 't_1',
        url: 'https://h.example/h',
        eventTypes: ['order.*'],
        enabled: true,
        ...(r.body as object),
      },
    }));
    const dir = mkdtempSync(join(tmpdir(), 'herald-cli-filter-'));
    writeFileSync(join(dir, 'filter.json'), JSON.stringify(filter));
    expect(
      (await cli('endpoints', 'set-filter', 'ep_1', '--filter', `@${join(dir, 'filter.json')}`)).code,
    ).toBe(0);
    expect((await cli('endpoints', 'set-filter', 'ep_1', '--filter', 'none')).code).toBe(0);
    expect(api.requests.map((r) => r.body)).toEqual([{ filter }, { filter: null }]);
  });

  it('a refused filter prints the pointers and a hint', async () => {
    api.on(
      'PATCH',
      '/v1/endpoints/ep_2',
      problem(400, 'invalid_filter', 'filter cannot match; see "errors"', {
        errors: [
          {
            pointer: '/data/curency',
            message: 'order.placed: the schema has no field "curency" here (did you mean "currency"?)',
          },
        ],
      }),
    );
    const result = await cli('endpoints', 'set-filter', 'ep_2', '--filter', '{"data":{"curency":["EUR"]}}');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('error: invalid_filter (HTTP 400)');
    expect(result.stderr).toContain('"pointer":"/data/curency"');
    expect(result.stderr).toContain('preview-filter');
  });

  it('refuses a filter that is not JSON before calling the API', async () => {
    const result = await cli('endpoints', 'set-filter', 'ep_1', '--filter', 'data.amount > 100');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('The filter is not valid JSON');
    expect(api.requests).toHaveLength(0);
  });

  it('preview-filter prints the count and the examples', async () => {
    api.on('POST', '/v1/endpoints/ep_1/filter-preview', {
      status: 200,
      body: {
        examined: 40,
        matched: 3,
        examples: [
          {
            id: 'evt_1',
            type: 'order.placed',
            createdAt: '2026-12-07T10:00:00.000Z',
            tenantId: 't_1',
            data: {},
          },
        ],
      },
    });
    const result = await cli(
      'endpoints',
      'preview-filter',
      'ep_1',
      '--filter',
      JSON.stringify(filter),
      '--limit',
      '40',
    );
    expect(result.code).toBe(0);
    expect(api.requests[0]?.body).toEqual({ filter, limit: 40 });
    expect(result.stdout).toContain('3 of the last 40 events would be delivered');
    expect(result.stdout).toMatch(/evt_1\s+order\.placed/);
  });
});
