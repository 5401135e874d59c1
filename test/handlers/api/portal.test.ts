import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { hashApiKey } from '../../../lambdas/shared/apikeys.js';
import { documentClient } from '../../../lambdas/shared/aws-clients.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import {
  apiEvent,
  type Harness,
  json,
  MAIN_TABLE,
  type RequestOptions,
  startHarness,
} from '../../support/harness.js';

const HOST = '127.0.0.1:3000';
const ORIGIN = `http://${HOST}`;

let h: Harness;
let admin: string;
let publisher: string;
let boundPublisher: string;
let tenant1: string;

async function call(method: string, path: string, options: RequestOptions = {}) {
  return management(
    await apiEvent(method, path, { ...options, headers: { host: HOST, ...options.headers } }),
  );
}

async function mint(body: Record<string, unknown>): Promise<string> {
  const response = await call('POST', '/v1/keys', { key: admin, body });
  expect(response.statusCode).toBe(201);
  return json(response).key as string;
}

async function link(tenantId: string, extra: Record<string, unknown> = {}) {
  const response = await call('POST', '/v1/portal-links', { key: admin, body: { tenantId, ...extra } });
  expect(response.statusCode).toBe(201);
  const body = json(response) as { id: string; url: string; expiresAt: string };
  return { ...body, token: new URLSearchParams(new URL(body.url).hash.slice(1)).get('token') ?? '' };
}

/** Exchanges the link's token; answers the response and the session cookie (`name=value`). */
async function open(token: string) {
  const response = await call('POST', '/v1/portal-session', { body: { token }, headers: { origin: ORIGIN } });
  const setCookie = response.cookies?.[0] ?? '';
  return { response, setCookie, cookie: setCookie.split(';')[0] ?? '' };
}

function asSession(cookie: string, extra: RequestOptions = {}): RequestOptions {
  return { cookies: [cookie], ...extra, headers: { origin: ORIGIN, ...extra.headers } };
}

beforeAll(async () => {
  h = await startHarness();
  admin = (await createAdminKey(MAIN_TABLE)).key;
  publisher = await mint({ role: 'publisher' });
  boundPublisher = await mint({ role: 'publisher', tenantId: 't_1' });
  tenant1 = await mint({ role: 'tenant', tenantId: 't_1' });
});

afterAll(async () => {
  await h?.stop();
});

describe('POST /v1/portal-links', () => {
  it('lets admin and publisher keys mint a link to this host with the default hour', async () => {
    for (const key of [admin, publisher, boundPublisher]) {
      const before = Date.now();
      const response = await call('POST', '/v1/portal-links', { key, body: { tenantId: 't_1' } });
      expect(response.statusCode).toBe(201);
      const body = json(response) as { id: string; url: string; expiresAt: string; tenantId: string };
      expect(body.url).toMatch(
        /^http:\/\/127\.0\.0\.1:3000\/portal\/#token=hpl_[0-9a-z]{16}_[\w-]{43}&tenant=t_1$/,
      );
      expect(body.id).toMatch(/^pl_[0-9a-z]{16}$/);
      expect(body.tenantId).toBe('t_1');
      const lifetime = Date.parse(body.expiresAt) - before;
      expect(lifetime).toBeGreaterThan(3595_000);
      expect(lifetime).toBeLessThanOrEqual(3601_000);
    }
  });

  it('answers 403 to a tenant key and to a publisher bound to another tenant', async () => {
    const asTenant = await call('POST', '/v1/portal-links', { key: tenant1, body: { tenantId: 't_1' } });
    expect(asTenant.statusCode).toBe(403);
    expect(json(asTenant).code).toBe('forbidden');
    const other = await call('POST', '/v1/portal-links', { key: boundPublisher, body: { tenantId: 't_2' } });
    expect(other.statusCode).toBe(403);
  });

  it('answers 400 naming expiresIn when it is not 1..86400 whole seconds (the default maximum)', async () => {
    for (const expiresIn of [0, -5, 86_401, 604_800, 604_801, 1.5, '3600', null]) {
      const response = await call('POST', '/v1/portal-links', {
        key: admin,
        body: { tenantId: 't_1', expiresIn },
      });
      expect(response.statusCode, String(expiresIn)).toBe(400);
      expect(json(response)).toMatchObject({ code: 'invalid_request', field: 'expiresIn' });
    }
    const max = await call('POST', '/v1/portal-links', {
      key: admin,
      body: { tenantId: 't_1', expiresIn: 86_400 },
    });
    expect(max.statusCode).toBe(201);
  });

  it('answers 400 for a missing or malformed tenantId and unknown fields', async () => {
    for (const body of [{}, { tenantId: 'bad tenant' }, { tenantId: 't_1', role: 'admin' }]) {
      const response = await call('POST', '/v1/portal-links', { key: admin, body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
    }
  });

  it('stores only the hash of the token', async () => {
    const { id, token } = await link('t_1');
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: MAIN_TABLE, Key: { pk: `PORTAL#${id}`, sk: 'PORTAL' } }),
    );
    expect(Item?.linkHash).toBe(hashApiKey(token));
    expect(JSON.stringify(Item)).not.toContain(token);
    expect(JSON.stringify(Item)).not.toContain(token.slice(-43));
  });
});

describe('portal sessions', () => {
  it('exchanges a link once for an HttpOnly SameSite=Strict cookie that acts as the tenant', async () => {
    const { token } = await link('t_1');
    const { response, setCookie, cookie } = await open(token);
    expect(response.statusCode).toBe(201);
    expect(json(response)).toMatchObject({ tenantId: 't_1' });
    expect(setCookie).toMatch(/^herald_portal_session=hps_[0-9a-z]{16}_[\w-]{43}; /);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).not.toContain('Secure'); // loopback http: a Secure cookie would be dropped

    const session = await call('GET', '/v1/portal-session', asSession(cookie));
    expect(session.statusCode).toBe(200);
    expect(json(session)).toMatchObject({ tenantId: 't_1' });
    const created = await call(
      'POST',
      '/v1/endpoints',
      asSession(cookie, { body: { url: 'http://127.0.0.1:4000/hook', eventTypes: ['order.*'] } }),
    );
    expect(created.statusCode).toBe(201);
    expect(json(created).tenantId).toBe('t_1');

    const again = await open(token);
    expect(again.response.statusCode).toBe(401);
    expect(json(again.response)).toMatchObject({ code: 'unauthorized', reason: 'link_used' });
  });

  it('sets Secure behind https', async () => {
    const { token } = await link('t_1');
    const response = await call('POST', '/v1/portal-session', {
      body: { token },
      headers: { host: 'api.example.com', 'x-forwarded-proto': 'https' },
    });
    expect(response.statusCode).toBe(201);
    const setCookie = response.cookies?.[0] ?? '';
    // __Host-: the browser keeps it only if Secure, Path=/ and without Domain, so no sibling host plants one.
    expect(setCookie).toMatch(/^__Host-herald_portal_session=hps_[0-9a-z]{16}_[\w-]{43}; Path=\/; /);
    expect(setCookie).toMatch(/; Secure$/);
    expect(setCookie).not.toMatch(/Domain=/i);
    const cookie = setCookie.split(';')[0]!;
    const asHttps = {
      cookies: [cookie],
      headers: { host: 'api.example.com', origin: 'https://api.example.com' },
    };
    expect((await call('GET', '/v1/portal-session', asHttps)).statusCode).toBe(200);
  });

  it('keeps a tenant session inside its tenant, with no more rights than a tenant key', async () => {
    const other = await call('POST', '/v1/endpoints', {
      key: admin,
      body: { tenantId: 't_2', url: 'http://127.0.0.1:4000/other', eventTypes: ['*'] },
    });
    const otherId = json(other).id as string;
    const { cookie } = await open((await link('t_1')).token);
    expect((await call('GET', `/v1/endpoints/${otherId}`, asSession(cookie))).statusCode).toBe(404);
    const list = await call('GET', '/v1/endpoints', asSession(cookie, { query: { tenantId: 't_2' } }));
    expect(list.statusCode).toBe(404);
    for (const [method, path] of [
      ['GET', '/v1/keys'],
      ['GET', '/v1/dlq'],
    ] as const) {
      expect((await call(method, path, asSession(cookie))).statusCode, path).toBe(403);
    }
    const links = await call('POST', '/v1/portal-links', asSession(cookie, { body: { tenantId: 't_1' } }));
    expect(links.statusCode).toBe(403);
  });

  it('refuses a state-changing request without the API host as Origin (CSRF)', async () => {
    const { cookie } = await open((await link('t_1')).token);
    const body = { url: 'http://127.0.0.1:4000/csrf', eventTypes: ['*'] };
    for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }]) {
      const response = await call('POST', '/v1/endpoints', { cookies: [cookie], body, headers });
      expect(response.statusCode).toBe(401);
      expect(json(response).reason).toBe('cross_origin');
    }
    const noOrigin = await management(
      await apiEvent('POST', '/v1/endpoints', { cookies: [cookie], body, headers: { host: HOST } }),
    );
    expect(noOrigin.statusCode).toBe(401);
    expect((await call('GET', '/v1/endpoints', { cookies: [cookie], headers: {} })).statusCode).toBe(200);
  });

  it('answers 401 for an expired link, and for a session once its link expires', async () => {
    const expiring = await link('t_1', { expiresIn: 60 });
    const { cookie } = await open(expiring.token);
    expect((await call('GET', '/v1/endpoints', asSession(cookie))).statusCode).toBe(200);
    const unexchanged = await link('t_1', { expiresIn: 60 });
    // Move both links' expiry into the past (dynalite has no TTL deletion; the code checks expiresAt).
    for (const id of [expiring.id, unexchanged.id]) {
      await documentClient().send(
        new UpdateCommand({
          TableName: MAIN_TABLE,
          Key: { pk: `PORTAL#${id}`, sk: 'PORTAL' },
          UpdateExpression: 'SET expiresAt = :past',
          ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
        }),
      );
    }
    // The authorizer trusts a session it verified for up to 5 s (its per-container cache), then reads again.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 5_000);
    const expired = await call('GET', '/v1/endpoints', asSession(cookie)).finally(() => vi.useRealTimers());
    expect(expired.statusCode).toBe(401);
    expect(json(expired)).toMatchObject({ code: 'unauthorized', reason: 'session_expired' });
    const late = await open(unexchanged.token);
    expect(late.response.statusCode).toBe(401);
    expect(json(late.response).reason).toBe('link_expired');
  });

  it('answers 401 for a revoked link at once, and for signing out within 5 s', async () => {
    const revoked = await link('t_1');
    const first = await open(revoked.token);
    expect((await call('DELETE', `/v1/portal-links/${revoked.id}`, { key: admin })).statusCode).toBe(204);
    const after = await call('GET', '/v1/endpoints', asSession(first.cookie));
    expect(after.statusCode).toBe(401);
    expect(json(after).reason).toBe('unknown_session');

    const { cookie } = await open((await link('t_1')).token);
    const out = await call('DELETE', '/v1/portal-session', asSession(cookie));
    expect(out.statusCode).toBe(204);
    expect(out.cookies?.[0]).toMatch(/^herald_portal_session=; Path=\/; Max-Age=0/);
    // Signing out used the session, so a container may trust it for up to 5 s more (ADR 0005).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 5_000);
    const after5s = await call('GET', '/v1/endpoints', asSession(cookie)).finally(() => vi.useRealTimers());
    expect(after5s.statusCode).toBe(401);
  });

  it('answers 401 link_invalid for a forged or malformed token, without a cookie', async () => {
    const { token } = await link('t_1');
    const forged = `${token.slice(0, -4)}AAAA`;
    for (const candidate of [forged, 'hpl_nope', 'hrld_x']) {
      const { response } = await open(candidate);
      expect(response.statusCode).toBe(401);
      expect(json(response).reason).toBe('link_invalid');
      expect(response.cookies).toBeUndefined();
    }
  });

  it('ignores a forged session cookie', async () => {
    const { cookie } = await open((await link('t_1')).token);
    const forged = `${cookie.slice(0, -4)}AAAA`;
    expect((await call('GET', '/v1/endpoints', asSession(forged))).statusCode).toBe(401);
    expect((await call('GET', '/v1/endpoints', asSession('herald_portal_session=junk'))).statusCode).toBe(
      401,
    );
  });

  it('answers 404 on /v1/portal-session to an API key', async () => {
    expect((await call('GET', '/v1/portal-session', { key: tenant1 })).statusCode).toBe(404);
  });
});
