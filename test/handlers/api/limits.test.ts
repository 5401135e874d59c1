/**
 * Limits against amplification (issue 9.5) through the management handler on dynalite: endpoints per
 * tenant (403 limit_exceeded, exact under concurrent creates, freed by delete) and bulk replays per
 * tenant per minute (429 limit_exceeded with Retry-After, exact under concurrent calls).
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { documentClient } from '../../../lambdas/shared/aws-clients.js';
import { DEFAULT_LIMITS, REPLAY_WINDOW_SECONDS } from '../../../lambdas/shared/limits.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import {
  apiEvent,
  type Harness,
  json,
  MAIN_TABLE,
  type RequestOptions,
  startHarness,
} from '../../support/harness.js';

let h: Harness;
let admin: string;

async function call(method: string, path: string, options: RequestOptions = {}) {
  return management(await apiEvent(method, path, { key: admin, ...options }));
}

const createEndpoint = (tenantId: string, n: number) =>
  call('POST', '/v1/endpoints', {
    body: { tenantId, url: `http://127.0.0.1:9/hook-${n}`, eventTypes: ['order.*'] },
  });

const replay = (tenantId: string) =>
  call('POST', '/v1/replay', {
    body: { tenantId, since: '2026-01-01T00:00:00Z', until: '2026-01-02T00:00:00Z' },
  });

beforeAll(async () => {
  h = await startHarness();
  admin = (await createAdminKey(MAIN_TABLE)).key;
});

afterEach(() => {
  delete process.env.HERALD_MAX_ENDPOINTS_PER_TENANT;
  delete process.env.HERALD_MAX_REPLAY_CALLS_PER_MINUTE;
});

afterAll(async () => {
  await h?.stop();
});

describe('endpoints per tenant', () => {
  it('defaults to 50', () => {
    expect(DEFAULT_LIMITS.endpointsPerTenant).toBe(50);
  });

  it('the one past the limit is 403 limit_exceeded with the limit and the count in the problem', async () => {
    process.env.HERALD_MAX_ENDPOINTS_PER_TENANT = '3';
    for (let n = 0; n < 3; n++) expect((await createEndpoint('t_lim_a', n)).statusCode).toBe(201);

    const refused = await createEndpoint('t_lim_a', 3);

    expect(refused.statusCode).toBe(403);
    expect(refused.headers?.['content-type']).toBe('application/problem+json');
    expect(json(refused)).toMatchObject({
      code: 'limit_exceeded',
      status: 403,
      limitName: 'endpointsPerTenant',
      limit: 3,
      current: 3,
    });
    expect(String(json(refused).detail)).toMatch(/at most 3 endpoints/);
    // Another tenant has its own allowance.
    expect((await createEndpoint('t_lim_b', 0)).statusCode).toBe(201);
  });

  it('20 concurrent creates against a limit of 5: exactly 5 endpoints, 15 refused', async () => {
    process.env.HERALD_MAX_ENDPOINTS_PER_TENANT = '5';
    const responses = await Promise.all(Array.from({ length: 20 }, (_, n) => createEndpoint('t_lim_c', n)));
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 403)).toHaveLength(15);
    const listed = json(await call('GET', '/v1/endpoints', { query: { tenantId: 't_lim_c', limit: '100' } }));
    expect(listed.items).toHaveLength(5);
  });

  it('a deleted endpoint frees its slot', async () => {
    process.env.HERALD_MAX_ENDPOINTS_PER_TENANT = '2';
    const first = json(await createEndpoint('t_lim_d', 0));
    expect((await createEndpoint('t_lim_d', 1)).statusCode).toBe(201);
    expect((await createEndpoint('t_lim_d', 2)).statusCode).toBe(403);

    expect((await call('DELETE', `/v1/endpoints/${String(first.id)}`)).statusCode).toBe(204);

    expect((await createEndpoint('t_lim_d', 3)).statusCode).toBe(201);
    expect((await createEndpoint('t_lim_d', 4)).statusCode).toBe(403);
  });

  it('a tenant whose counter does not exist yet (endpoints from before the limit) is counted from its endpoints', async () => {
    process.env.HERALD_MAX_ENDPOINTS_PER_TENANT = '10';
    for (let n = 0; n < 3; n++) expect((await createEndpoint('t_lim_e', n)).statusCode).toBe(201);
    // As if these had been created before counting existed.
    await documentClient().send(
      new DeleteCommand({ TableName: MAIN_TABLE, Key: { pk: 'TENANT#t_lim_e', sk: 'LIMITS' } }),
    );
    process.env.HERALD_MAX_ENDPOINTS_PER_TENANT = '4';
    expect((await createEndpoint('t_lim_e', 3)).statusCode).toBe(201);
    const refused = await createEndpoint('t_lim_e', 4);
    expect(refused.statusCode).toBe(403);
    expect(json(refused)).toMatchObject({ limit: 4, current: 4 });
  });
});

describe('bulk replays per tenant per minute', () => {
  /** Keeps a burst inside one window: if less than 10 s of the minute are left, start in the next. */
  async function awayFromWindowEdge(): Promise<void> {
    const intoWindow = (Date.now() / 1000) % REPLAY_WINDOW_SECONDS;
    if (intoWindow > REPLAY_WINDOW_SECONDS - 10) {
      await new Promise((r) => setTimeout(r, (REPLAY_WINDOW_SECONDS - intoWindow + 0.5) * 1000));
    }
  }

  it('defaults to 10 calls a minute and 1000 events a call', () => {
    expect(DEFAULT_LIMITS).toMatchObject({ replayCallsPerMinute: 10, replayEventsPerCall: 1000 });
  });

  it('the call past the limit is 429 limit_exceeded with Retry-After until the next minute', async () => {
    process.env.HERALD_MAX_REPLAY_CALLS_PER_MINUTE = '2';
    await awayFromWindowEdge();
    expect((await replay('t_rep_a')).statusCode).toBe(202);
    expect((await replay('t_rep_a')).statusCode).toBe(202);

    const refused = await replay('t_rep_a');

    expect(refused.statusCode).toBe(429);
    const retryAfter = Number(refused.headers?.['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(REPLAY_WINDOW_SECONDS);
    expect(json(refused)).toMatchObject({
      code: 'limit_exceeded',
      status: 429,
      limitName: 'replayCallsPerMinute',
      limit: 2,
      current: 2,
      retryAfterSeconds: retryAfter,
    });
    // Another tenant's minute is its own.
    expect((await replay('t_rep_b')).statusCode).toBe(202);
  });

  it('a malformed call does not use up the minute', async () => {
    process.env.HERALD_MAX_REPLAY_CALLS_PER_MINUTE = '1';
    await awayFromWindowEdge();
    const bad = await call('POST', '/v1/replay', { body: { tenantId: 't_rep_c', since: 'yesterday' } });
    expect(bad.statusCode).toBe(400);
    expect((await replay('t_rep_c')).statusCode).toBe(202);
    expect((await replay('t_rep_c')).statusCode).toBe(429);
  });

  it('12 concurrent calls against a limit of 4: exactly 4 replay, 8 are refused', async () => {
    process.env.HERALD_MAX_REPLAY_CALLS_PER_MINUTE = '4';
    await awayFromWindowEdge();
    const responses = await Promise.all(Array.from({ length: 12 }, () => replay('t_rep_d')));
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 202)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(8);
  });
});
