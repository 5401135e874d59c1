/**
 * One per-tenant budget of caller-triggered deliveries (issue 20, finding 2) through the management
 * handler on dynalite: single replay, bulk replay and endpoint tests all count against it, and past it
 * answer 429 limit_exceeded with Retry-After, like bulk replay's call limit.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import { putEvent } from '../../../lambdas/shared/store/events.js';
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
const call = async (method: string, path: string, options: RequestOptions = {}) =>
  management(await apiEvent(method, path, { key: admin, ...options }));

async function tenantWithEndpoints(tenantId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await call('POST', '/v1/endpoints', {
      body: { tenantId, url: `http://127.0.0.1:9/${tenantId}-${i}`, eventTypes: ['order.*'] },
    });
    expect(response.statusCode).toBe(201);
    ids.push(String(json(response).id));
  }
  return ids;
}

async function storedEvent(tenantId: string, n: number): Promise<string> {
  const id = `evt_budget_${tenantId}_${n}`;
  await putEvent(
    { id, type: 'order.placed', tenantId, createdAt: new Date().toISOString(), data: { n } },
    'api',
  );
  return id;
}

function expectRefusal(response: APIGatewayProxyStructuredResultV2, current: number): void {
  expect(response.statusCode).toBe(429);
  const retryAfter = Number(response.headers?.['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(json(response)).toMatchObject({
    code: 'limit_exceeded',
    limitName: 'callerDeliveriesPerMinute',
    limit: 5,
    current,
  });
}

beforeAll(async () => {
  h = await startHarness();
  admin = (await createAdminKey(MAIN_TABLE)).key;
});
beforeEach(() => {
  process.env.HERALD_MAX_CALLER_DELIVERIES_PER_MINUTE = '5';
});
afterAll(async () => {
  delete process.env.HERALD_MAX_CALLER_DELIVERIES_PER_MINUTE;
  await h?.stop();
});

// A test that straddles a minute boundary would see a fresh budget; each test's tenant is its own.
describe('the caller-triggered delivery budget', () => {
  it('single replays and endpoint tests draw from one budget; past it, 429 with Retry-After', async () => {
    const endpoints = await tenantWithEndpoints('t_bud_1', 2);
    const event = await storedEvent('t_bud_1', 1);
    const replay = () => call('POST', `/v1/events/${event}/replay`);
    expect(json(await replay())).toMatchObject({ replayed: 2 });
    expect(json(await replay())).toMatchObject({ replayed: 2 });
    // 4 counted: a replay to 2 endpoints no longer fits, a test (1) still does.
    expectRefusal(await replay(), 4);
    expect((await call('POST', `/v1/endpoints/${endpoints[0]}/test`)).statusCode).toBe(202);
    expectRefusal(await call('POST', `/v1/endpoints/${endpoints[0]}/test`), 5);
    // Another tenant's budget is its own.
    const other = await tenantWithEndpoints('t_bud_2', 1);
    expect((await call('POST', `/v1/endpoints/${other[0]}/test`)).statusCode).toBe(202);
  });

  it('bulk replay queues what the budget allows, says truncated with retryAfterSeconds, then 429', async () => {
    await tenantWithEndpoints('t_bud_3', 2);
    for (let n = 0; n < 4; n++) await storedEvent('t_bud_3', n);
    const since = new Date(Date.now() - 60_000).toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const bulk = () => call('POST', '/v1/replay', { body: { tenantId: 't_bud_3', since, until } });
    const first = await bulk();
    expect(first.statusCode).toBe(202);
    expect(json(first)).toMatchObject({ replayed: 5, truncated: true });
    expect(Number(json(first).retryAfterSeconds)).toBeGreaterThanOrEqual(1);
    expectRefusal(await bulk(), 5);
  });
});
