/**
 * The portal's trust chain (issue 20, finding 1) through the real authorizer and management handler
 * on dynalite: a session ends within 5 s of its minting key's revocation; links record who minted
 * them and are listed and revoked by their minter (or an admin); a publisher key limited to a set of
 * tenants; the deployment's maximum session length; URLs from the configured portal URL, never Host.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
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
  startHarness,
} from '../../support/harness.js';

const ORIGIN = 'http://127.0.0.1:3000';

let h: Harness;
let admin: string;

const call = async (method: string, path: string, options: RequestOptions = {}) =>
  management(
    await apiEvent(method, path, { ...options, headers: { host: '127.0.0.1:3000', ...options.headers } }),
  );

async function mintKey(body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const response = await call('POST', '/v1/keys', { key: admin, body });
  expect(response.statusCode, JSON.stringify(json(response))).toBe(201);
  const { id, key } = json(response) as { id: string; key: string };
  return { id, key };
}

async function mintLink(key: string, tenantId: string, extra: RequestOptions = {}) {
  const response = await call('POST', '/v1/portal-links', { key, body: { tenantId }, ...extra });
  expect(response.statusCode, JSON.stringify(json(response))).toBe(201);
  const body = json(response) as { id: string; url: string; createdBy: string };
  return { ...body, token: new URLSearchParams(new URL(body.url).hash.slice(1)).get('token') ?? '' };
}

async function openSession(token: string): Promise<string> {
  const response = await call('POST', '/v1/portal-session', { body: { token }, headers: { origin: ORIGIN } });
  expect(response.statusCode).toBe(201);
  return (response.cookies?.[0] ?? '').split(';')[0] ?? '';
}

const asSession = (cookie: string): RequestOptions => ({ cookies: [cookie], headers: { origin: ORIGIN } });

/** Moves the clock past the authorizer's 5 s cache, as 5 s of waiting would. */
async function after5s<T>(work: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + 5_001);
  try {
    return await work();
  } finally {
    vi.useRealTimers();
  }
}

beforeAll(async () => {
  h = await startHarness();
  admin = (await createAdminKey(MAIN_TABLE)).key;
});
afterAll(async () => {
  await h?.stop();
});
afterEach(() => {
  process.env.HERALD_PORTAL_URL = 'http://127.0.0.1:3000/portal/';
  delete process.env.HERALD_PORTAL_MAX_SESSION_SECONDS;
});

describe('a portal session lives no longer than the key that minted it', () => {
  it('works while the publisher key lives, and answers 401 within 5 s of its revocation', async () => {
    const publisher = await mintKey({ role: 'publisher' });
    const cookie = await openSession((await mintLink(publisher.key, 't_chain')).token);
    expect((await call('GET', '/v1/endpoints', asSession(cookie))).statusCode).toBe(200);

    expect((await call('DELETE', `/v1/keys/${publisher.id}`, { key: admin })).statusCode).toBe(204);
    const refused = await after5s(() => call('GET', '/v1/endpoints', asSession(cookie)));
    expect(refused.statusCode).toBe(401);
    expect(json(refused).reason).toBe('unknown_session');
  });

  it('an unused link of a revoked key opens nothing', async () => {
    const publisher = await mintKey({ role: 'publisher' });
    const { token } = await mintLink(publisher.key, 't_chain');
    await call('DELETE', `/v1/keys/${publisher.id}`, { key: admin });
    const cookie = await openSession(token);
    expect((await after5s(() => call('GET', '/v1/endpoints', asSession(cookie)))).statusCode).toBe(401);
  });
});

describe('links record who minted them, and are listed and revoked by that key or an admin', () => {
  it('GET /v1/portal-links: an admin sees every link, a publisher its own, a tenant key nothing (403)', async () => {
    const p1 = await mintKey({ role: 'publisher' });
    const p2 = await mintKey({ role: 'publisher' });
    const mine = await mintLink(p1.key, 't_list');
    const theirs = await mintLink(p2.key, 't_list');
    expect(mine.createdBy).toBe(p1.id);

    const own = json(await call('GET', '/v1/portal-links', { key: p1.key })) as {
      items: Array<Record<string, unknown>>;
    };
    expect(own.items.map((l) => l.id)).toEqual([mine.id]);
    expect(own.items[0]).toMatchObject({ tenantId: 't_list', createdBy: p1.id, state: 'unused' });
    expect(JSON.stringify(own)).not.toMatch(/linkHash|sessionHash|hpl_/);

    const all = json(await call('GET', '/v1/portal-links', { key: admin, query: { limit: '100' } })) as {
      items: Array<{ id: string }>;
    };
    expect(all.items.map((l) => l.id)).toEqual(expect.arrayContaining([mine.id, theirs.id]));

    const tenant = await mintKey({ role: 'tenant', tenantId: 't_list' });
    expect((await call('GET', '/v1/portal-links', { key: tenant.key })).statusCode).toBe(403);
  });

  it('DELETE: a publisher revokes its own links only; anything else answers 404, existing or not', async () => {
    const p1 = await mintKey({ role: 'publisher' });
    const p2 = await mintKey({ role: 'publisher' });
    const theirs = await mintLink(p2.key, 't_del');
    const tenant = await mintKey({ role: 'tenant', tenantId: 't_del' });
    const missing = 'pl_0000000000000000';
    for (const [key, id] of [
      [p1.key, theirs.id],
      [p1.key, missing],
      [tenant.key, theirs.id],
      [tenant.key, missing],
    ] as const) {
      const response = await call('DELETE', `/v1/portal-links/${id}`, { key });
      expect(response.statusCode, `${id}`).toBe(404);
      expect(json(response).code).toBe('not_found');
    }
    const cookie = await openSession(theirs.token);
    expect((await call('DELETE', `/v1/portal-links/${theirs.id}`, { key: p2.key })).statusCode).toBe(204);
    expect((await call('GET', '/v1/endpoints', asSession(cookie))).statusCode).toBe(401);
    const adminRevokes = await mintLink(p1.key, 't_del');
    expect((await call('DELETE', `/v1/portal-links/${adminRevokes.id}`, { key: admin })).statusCode).toBe(
      204,
    );
  });
});

describe('a publisher key limited to a set of tenants', () => {
  it('publishes and mints links for those tenants only', async () => {
    const limited = await mintKey({ role: 'publisher', tenantIds: ['t_a', 't_b'] });
    const keys = json(await call('GET', '/v1/keys', { key: admin, query: { limit: '100' } })) as {
      items: Array<{ id: string; tenantIds?: string[] }>;
    };
    expect(keys.items.find((k) => k.id === limited.id)?.tenantIds).toEqual(['t_a', 't_b']);

    await mintLink(limited.key, 't_b');
    const other = await call('POST', '/v1/portal-links', { key: limited.key, body: { tenantId: 't_c' } });
    expect(other.statusCode).toBe(403);
    expect(json(other).detail ?? json(other).title).toBeDefined();

    const publish = async (tenantId: string) =>
      ingest(
        await apiEvent('POST', '/v1/events', {
          key: limited.key,
          body: {
            type: 'order.placed',
            tenantId,
            data: { orderId: 'o1', total: 1, currency: 'EUR', lines: [] },
          },
        }),
        fakeContext(),
      );
    expect((await publish('t_c')).statusCode).toBe(403);
    expect((await publish('t_a')).statusCode).not.toBe(403);
  });

  it('refuses tenantIds on other roles, together with tenantId, empty, or with a bad id (400)', async () => {
    for (const body of [
      { role: 'tenant', tenantId: 't_a', tenantIds: ['t_a'] },
      { role: 'admin', tenantIds: ['t_a'] },
      { role: 'publisher', tenantId: 't_a', tenantIds: ['t_b'] },
      { role: 'publisher', tenantIds: [] },
      { role: 'publisher', tenantIds: ['bad tenant'] },
      { role: 'publisher', tenantIds: 't_a' },
    ]) {
      const response = await call('POST', '/v1/keys', { key: admin, body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('deployment settings', () => {
  it('the longest session is the deployment’s (HERALD_PORTAL_MAX_SESSION_SECONDS)', async () => {
    process.env.HERALD_PORTAL_MAX_SESSION_SECONDS = '600';
    const tooLong = await call('POST', '/v1/portal-links', {
      key: admin,
      body: { tenantId: 't_1', expiresIn: 601 },
    });
    expect(tooLong.statusCode).toBe(400);
    expect(json(tooLong).detail ?? json(tooLong)).toBeDefined();
    expect(String(json(tooLong).detail)).toContain('1 to 600');
    const ok = await call('POST', '/v1/portal-links', { key: admin, body: { tenantId: 't_1' } });
    const lifetime = Date.parse(String(json(ok).expiresAt)) - Date.now();
    expect(lifetime).toBeLessThanOrEqual(600_000);
  });

  it('the URL is the configured portal URL whatever Host the request carries', async () => {
    process.env.HERALD_PORTAL_URL = 'https://portal.herald.example/portal/';
    for (const host of ['evil.example', '127.0.0.1:3000']) {
      const minted = await mintLink(admin, 't_1', {
        headers: { host, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
      });
      expect(minted.url.startsWith('https://portal.herald.example/portal/#token=hpl_')).toBe(true);
    }
  });
});
