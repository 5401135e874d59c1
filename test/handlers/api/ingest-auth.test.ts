/**
 * The publish routes verify the caller's key in ingest itself (ADR 0005, amended by issue 21): API
 * Gateway runs no authorizer for them, so these requests carry no authorizer context, as deployed.
 * The verdicts and 401 problem documents are the authorizer's own (the management routes' answers for
 * the same credential), a context that does not come from ingest's own check is ignored, and a revoked
 * key stops working within 5 s on both routes.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as ingest } from '../../../lambdas/api/ingest.handler.js';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import type { ApiEvent } from '../../../lambdas/api/router.js';
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

let h: Harness;
let admin: string;

const ROUTES = ['/v1/events', '/v1/events/batch'] as const;
const bodyFor = (route: string, tenantId = 't_auth') =>
  route === '/v1/events'
    ? { type: 'test.happened', tenantId, data: {} }
    : { events: [{ type: 'test.happened', tenantId, data: {} }] };

/** A publish request as API Gateway hands it to ingest on a route without an authorizer. */
async function unauthorized(
  route: string,
  options: RequestOptions & { authorization?: string } = {},
): Promise<ApiEvent> {
  const { authorization, ...rest } = options;
  const event = await apiEvent('POST', route, { body: bodyFor(route), ...rest });
  const { authorizer: _none, ...requestContext } = event.requestContext;
  return {
    ...event,
    headers: { ...event.headers, ...(authorization !== undefined ? { authorization } : {}) },
    requestContext,
  } as ApiEvent;
}

const publish = async (route: string, options: RequestOptions & { authorization?: string } = {}) =>
  ingest(await unauthorized(route, options), fakeContext());

/** The problem document without `instance` (the path differs between routes). */
function problemOf(response: APIGatewayProxyStructuredResultV2): Record<string, unknown> {
  const { instance: _path, ...rest } = json(response);
  return rest;
}

async function mint(body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const response = await management(await apiEvent('POST', '/v1/keys', { key: admin, body }));
  expect(response.statusCode).toBe(201);
  return json(response) as unknown as { id: string; key: string };
}

beforeAll(async () => {
  h = await startHarness();
  admin = (await createAdminKey(MAIN_TABLE)).key;
});

afterAll(async () => {
  await h?.stop();
});

describe('the publish routes verify the key themselves', () => {
  it.each(ROUTES)('%s accepts a valid publisher key with no authorizer context', async (route) => {
    const { key } = await mint({ role: 'publisher' });
    const response = await publish(route, { authorization: `Bearer ${key}` });
    expect(response.statusCode).toBe(route === '/v1/events' ? 202 : 207);
  });

  it.each(ROUTES)('%s ignores an authorizer context it did not compute', async (route) => {
    const forged = await unauthorized(route, { authorization: 'Bearer not-a-key' });
    const event = {
      ...forged,
      requestContext: {
        ...forged.requestContext,
        authorizer: {
          lambda: { authenticated: 'true', role: 'admin', tenantId: '', keyId: 'key_forged', reason: 'ok' },
        },
      },
    } as ApiEvent;
    const response = await ingest(event, fakeContext());
    expect(response.statusCode).toBe(401);
    expect(json(response).code).toBe('unauthorized');
  });

  it.each(ROUTES)("%s answers the authorizer's own 401 documents", async (route) => {
    const credentials: (string | undefined)[] = [
      undefined,
      'Basic dXNlcjpwYXNz',
      'Bearer not-a-key',
      `Bearer hrld_${'a'.repeat(16)}_${'b'.repeat(43)}`,
    ];
    for (const authorization of credentials) {
      const answer = await publish(route, authorization === undefined ? {} : { authorization });
      expect(answer.statusCode, authorization).toBe(401);
      expect(answer.headers?.['content-type']).toBe('application/problem+json');
      // The management route, through the authorizer function, for the same credential.
      const event = await apiEvent('GET', '/v1/endpoints', {
        query: { tenantId: 't_auth' },
        ...(authorization !== undefined ? { headers: { authorization } } : {}),
      });
      const expected = await management(event);
      expect(expected.statusCode).toBe(401);
      expect(problemOf(answer), authorization).toEqual(problemOf(expected));
    }
  });

  it.each(ROUTES)('%s answers 403 to a tenant key, as before', async (route) => {
    const { key } = await mint({ role: 'tenant', tenantId: 't_auth' });
    const response = await publish(route, { authorization: `Bearer ${key}` });
    expect(response.statusCode).toBe(403);
    expect(json(response).code).toBe('forbidden');
  });

  it('stops a revoked key within 5 s on both routes (a verified key is trusted that long, per container)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const t0 = Date.parse('2026-12-07T12:00:00.000Z');
      vi.setSystemTime(t0);
      const minted = await mint({ role: 'publisher' });
      const authorization = `Bearer ${minted.key}`;
      for (const route of ROUTES)
        expect((await publish(route, { authorization })).statusCode).toBeLessThan(300);
      const revoked = await management(await apiEvent('DELETE', `/v1/keys/${minted.id}`, { key: admin }));
      expect(revoked.statusCode).toBe(204);
      vi.setSystemTime(t0 + 4_999);
      for (const route of ROUTES)
        expect((await publish(route, { authorization })).statusCode).toBeLessThan(300);
      vi.setSystemTime(t0 + 5_000);
      for (const route of ROUTES) {
        const after = await publish(route, { authorization });
        expect(after.statusCode).toBe(401);
        expect(json(after).code).toBe('unauthorized');
      }
    } finally {
      vi.useRealTimers();
    }
  });
});
