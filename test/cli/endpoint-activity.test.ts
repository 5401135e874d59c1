/** `herald endpoints activity` against a fake API: the request it makes and the rows it prints. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeApi, problem, startFakeApi } from './fake-api.js';
import { herald } from './harness.js';

describe('herald endpoints activity', () => {
  let api: FakeApi;
  const cli = (...argv: string[]) => herald([...argv, '--url', api.url, '--key', 'test-key']);
  const hours = [
    { hour: '2026-12-07T14:00:00Z', delivered: 1200, failed: 3, backlog: 0 },
    { hour: '2026-12-07T15:00:00Z', delivered: 34, failed: 2, backlog: 40 },
  ];

  beforeAll(async () => {
    api = await startFakeApi();
    api.on('GET', '/v1/endpoints/ep_1/activity', (r) => ({
      status: 200,
      body: { endpointId: 'ep_1', hours: hours.slice(-Number(r.query.get('hours'))) },
    }));
    api.on('GET', '/v1/endpoints/ep_gone/activity', problem(404, 'not_found', 'Endpoint not found'));
  });
  afterAll(async () => {
    await api.close();
  });
  beforeEach(() => {
    api.requests.length = 0;
  });

  it('asks for 24 hours by default and prints one row an hour with the totals', async () => {
    api.on('GET', '/v1/endpoints/ep_2/activity', { status: 200, body: { endpointId: 'ep_2', hours } });
    const result = await cli('endpoints', 'activity', 'ep_2');
    expect(result.code).toBe(0);
    expect(api.requests[0]?.query.get('hours')).toBe('24');
    expect(result.stdout).toMatch(/^HOUR\s+DELIVERED\s+FAILED\s+BACKLOG$/m);
    expect(result.stdout).toMatch(/^2026-12-07T15:00:00Z\s+34\s+2\s+40$/m);
    expect(result.stdout).toContain('last 2 h: 1234 delivered, 5 failed, backlog peak 40');
  });

  it('passes --hours, and --json prints the API answer', async () => {
    const result = await cli('endpoints', 'activity', 'ep_1', '--hours', '1', '--json');
    expect(result.code).toBe(0);
    expect(api.requests[0]?.query.get('hours')).toBe('1');
    expect(JSON.parse(result.stdout)).toEqual({ endpointId: 'ep_1', hours: [hours[1]] });
  });

  it('refuses --hours outside 1–48 before calling the API, and reports a 404', async () => {
    const bad = await cli('endpoints', 'activity', 'ep_1', '--hours', '49');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--hours must be an integer from 1 to 48');
    expect(api.requests).toHaveLength(0);
    const gone = await cli('endpoints', 'activity', 'ep_gone');
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('Endpoint not found');
  });
});
