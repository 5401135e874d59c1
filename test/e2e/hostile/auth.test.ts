/**
 * Hostile credentials: missing, malformed, unknown and revoked keys (401); roles beyond their rights
 * (403); one tenant's key reaching another tenant's data (404, never 403, so ids do not leak). After
 * the table runs, the victim tenant's data is unchanged and nothing was published.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HeraldApi, Problem } from '../support/api.js';
import {
  type CreatedEndpoint,
  createEndpoint,
  createKey,
  expectStatus,
  type PublishedEvent,
  publishOk,
  tenantEvents,
  uniqueTenant,
} from '../support/fixtures.js';
import { recordHostile } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { waitUntil } from '../support/wait.js';

const ctx = useHerald();
const attacker = uniqueTenant('attacker');
const victim = uniqueTenant('victim');

interface World {
  attackerKey: string;
  publisherKey: string;
  boundPublisherKey: string;
  revokedKey: string;
  victimEndpoint: CreatedEndpoint;
  victimEvent: PublishedEvent;
}
const w = {} as World;

/** A key in the right format whose id exists nowhere. */
const unknownKey = (): string =>
  `hrld_${randomBytes(8).toString('hex')}_${randomBytes(32).toString('base64url')}`;

interface Case {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: () => string;
  readonly authorization: () => string | undefined;
  readonly body?: () => unknown;
  readonly status: number;
  readonly code: string;
}

const bearer = (key: () => string) => () => `Bearer ${key()}`;
const publishBody = (tenantId: string) => () => ({ type: 'order.noted', tenantId, data: {} });

const cases: readonly Case[] = [
  {
    name: 'no Authorization header (publish)',
    method: 'POST',
    path: () => '/v1/events',
    authorization: () => undefined,
    body: publishBody(victim),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'no Authorization header (read)',
    method: 'GET',
    path: () => `/v1/endpoints/${w.victimEndpoint.id}`,
    authorization: () => undefined,
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'Basic scheme',
    method: 'GET',
    path: () => '/v1/keys',
    authorization: () => `Basic ${Buffer.from('admin:admin').toString('base64')}`,
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'Bearer with no key',
    method: 'GET',
    path: () => '/v1/keys',
    authorization: () => 'Bearer ',
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'malformed key',
    method: 'POST',
    path: () => '/v1/events',
    authorization: () => 'Bearer not-a-key',
    body: publishBody(victim),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'key with a truncated secret',
    method: 'GET',
    path: () => '/v1/keys',
    authorization: () => `Bearer ${ctx.target.adminKey.slice(0, -1)}`,
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'admin key id with another secret',
    method: 'GET',
    path: () => '/v1/keys',
    authorization: () => `Bearer ${ctx.target.adminKey.slice(0, 22)}${randomBytes(32).toString('base64url')}`,
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'well-formed unknown key',
    method: 'POST',
    path: () => '/v1/events',
    authorization: () => `Bearer ${unknownKey()}`,
    body: publishBody(victim),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'revoked key',
    method: 'POST',
    path: () => '/v1/events',
    authorization: bearer(() => w.revokedKey),
    body: publishBody(victim),
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'publisher key minting keys',
    method: 'POST',
    path: () => '/v1/keys',
    authorization: bearer(() => w.publisherKey),
    body: () => ({ role: 'admin' }),
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'publisher key listing DLQs',
    method: 'GET',
    path: () => '/v1/dlq',
    authorization: bearer(() => w.publisherKey),
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'publisher key reading endpoints',
    method: 'GET',
    path: () => `/v1/endpoints?tenantId=${victim}`,
    authorization: bearer(() => w.publisherKey),
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'publisher key bound to another tenant',
    method: 'POST',
    path: () => '/v1/events',
    authorization: bearer(() => w.boundPublisherKey),
    body: publishBody(victim),
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'tenant key publishing',
    method: 'POST',
    path: () => '/v1/events',
    authorization: bearer(() => w.attackerKey),
    body: publishBody(attacker),
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'tenant key minting keys',
    method: 'POST',
    path: () => '/v1/keys',
    authorization: bearer(() => w.attackerKey),
    body: () => ({ role: 'tenant', tenantId: victim }),
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'tenant key redriving a DLQ',
    method: 'POST',
    path: () => '/v1/dlq/any/redrive',
    authorization: bearer(() => w.attackerKey),
    body: () => ({}),
    status: 403,
    code: 'forbidden',
  },
  {
    name: "tenant key reading another tenant's endpoint",
    method: 'GET',
    path: () => `/v1/endpoints/${w.victimEndpoint.id}`,
    authorization: bearer(() => w.attackerKey),
    status: 404,
    code: 'not_found',
  },
  {
    name: "tenant key disabling another tenant's endpoint",
    method: 'PATCH',
    path: () => `/v1/endpoints/${w.victimEndpoint.id}`,
    authorization: bearer(() => w.attackerKey),
    body: () => ({ enabled: false }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "tenant key deleting another tenant's endpoint",
    method: 'DELETE',
    path: () => `/v1/endpoints/${w.victimEndpoint.id}`,
    authorization: bearer(() => w.attackerKey),
    status: 404,
    code: 'not_found',
  },
  {
    name: "tenant key rotating another tenant's secret",
    method: 'POST',
    path: () => `/v1/endpoints/${w.victimEndpoint.id}/rotate-secret`,
    authorization: bearer(() => w.attackerKey),
    body: () => ({}),
    status: 404,
    code: 'not_found',
  },
  {
    name: "tenant key listing another tenant's endpoints",
    method: 'GET',
    path: () => `/v1/endpoints?tenantId=${victim}`,
    authorization: bearer(() => w.attackerKey),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'tenant key creating an endpoint for another tenant',
    method: 'POST',
    path: () => '/v1/endpoints',
    authorization: bearer(() => w.attackerKey),
    body: () => ({ tenantId: victim, url: ctx.receiver.url('stolen'), eventTypes: ['*'] }),
    status: 404,
    code: 'not_found',
  },
  {
    name: "tenant key reading another tenant's event",
    method: 'GET',
    path: () => `/v1/events/${w.victimEvent.id}`,
    authorization: bearer(() => w.attackerKey),
    status: 404,
    code: 'not_found',
  },
  {
    name: "tenant key reading another tenant's deliveries",
    method: 'GET',
    path: () => `/v1/events/${w.victimEvent.id}/deliveries`,
    authorization: bearer(() => w.attackerKey),
    status: 404,
    code: 'not_found',
  },
  {
    name: "tenant key replaying another tenant's event",
    method: 'POST',
    path: () => `/v1/events/${w.victimEvent.id}/replay`,
    authorization: bearer(() => w.attackerKey),
    body: () => ({}),
    status: 404,
    code: 'not_found',
  },
  {
    name: "tenant key listing another tenant's events",
    method: 'GET',
    path: () => `/v1/events?tenantId=${victim}`,
    authorization: bearer(() => w.attackerKey),
    status: 404,
    code: 'not_found',
  },
  {
    name: "tenant key bulk-replaying another tenant's events",
    method: 'POST',
    path: () => '/v1/replay',
    authorization: bearer(() => w.attackerKey),
    body: () => ({ tenantId: victim, since: '2000-01-01T00:00:00Z', until: '2100-01-01T00:00:00Z' }),
    status: 404,
    code: 'not_found',
  },
];

async function send(api: HeraldApi, c: Case) {
  const authorization = c.authorization();
  const body = c.body?.();
  return api.request<Problem>(c.method, c.path(), {
    key: null,
    ...(body !== undefined ? { json: body } : {}),
    ...(authorization !== undefined ? { headers: { authorization } } : {}),
  });
}

describe('hostile credentials', () => {
  beforeAll(async () => {
    w.attackerKey = (await createKey(ctx.api, 'tenant', attacker)).key;
    w.publisherKey = (await createKey(ctx.api, 'publisher')).key;
    w.boundPublisherKey = (await createKey(ctx.api, 'publisher', attacker)).key;
    const revoked = await createKey(ctx.api, 'publisher');
    expect((await ctx.api.request('DELETE', `/v1/keys/${revoked.id}`)).status).toBe(204);
    w.revokedKey = revoked.key;
    w.victimEndpoint = await createEndpoint(ctx.api, {
      tenantId: victim,
      url: ctx.receiver.url('victim'),
      eventTypes: ['audit.checked'],
    });
    w.victimEvent = await publishOk(ctx.api, { type: 'audit.checked', tenantId: victim, data: {} });
    // Publishing is the commit point: the event is listed once delivery has recorded it (docs/api.md).
    await waitUntil(
      () => tenantEvents(ctx.api, victim),
      (events) => events.length === 1,
      { timeoutMs: 30_000, description: "the victim's event recorded" },
    );
  });

  it.each(cases)('$name → $status $code', async (c) => {
    const response = await send(ctx.api, c);
    // Storage is checked once, after the table (the last test), not per case.
    recordHostile({
      category: 'auth and tenants',
      case: `${c.name} (${c.method})`,
      status: response.status,
      code: response.body.code,
      nothingStored: undefined,
    });
    expect({ status: response.status, code: response.body.code }).toEqual({ status: c.status, code: c.code });
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // A 404 must not tell "exists elsewhere" from "missing": no id, tenant or URL of the victim leaks.
    expect(response.text).not.toContain(victim);
    expect(response.text).not.toContain(w.victimEndpoint.url);
  });

  it('a tenant key still works on its own tenant (the 404s above are not blanket failures)', async () => {
    const own = await ctx.api
      .as(w.attackerKey)
      .get<{ items: unknown[] }>(`/v1/endpoints?tenantId=${attacker}`);
    expect(own.status).toBe(200);
    expect(own.body.items).toEqual([]);
  });

  it("afterwards the victim's data is unchanged and nothing else was published", async () => {
    const endpoint = expectStatus(
      'read victim endpoint',
      await ctx.api.get<{ url: string; enabled: boolean; eventTypes: string[] }>(
        `/v1/endpoints/${w.victimEndpoint.id}`,
      ),
      200,
    );
    const victimEvents = (await tenantEvents(ctx.api, victim)).map((e) => e.id);
    const attackerEvents = await tenantEvents(ctx.api, attacker);
    const endpoints = expectStatus(
      'list victim endpoints',
      await ctx.api.get<{ items: Array<{ id: string }> }>(`/v1/endpoints?tenantId=${victim}`),
      200,
    );
    const endpointIds = endpoints.items.map((e) => e.id);
    recordHostile({
      category: 'auth and tenants',
      case: `after all ${cases.length} cases: victim's endpoint, events and endpoint list unchanged; attacker has no events`,
      status: undefined,
      code: undefined,
      nothingStored:
        endpoint.url === w.victimEndpoint.url &&
        endpoint.enabled === true &&
        JSON.stringify(endpoint.eventTypes) === JSON.stringify(['audit.checked']) &&
        JSON.stringify(victimEvents) === JSON.stringify([w.victimEvent.id]) &&
        attackerEvents.length === 0 &&
        JSON.stringify(endpointIds) === JSON.stringify([w.victimEndpoint.id]),
    });
    expect(endpoint).toMatchObject({
      url: w.victimEndpoint.url,
      enabled: true,
      eventTypes: ['audit.checked'],
    });
    expect(victimEvents).toEqual([w.victimEvent.id]);
    expect(attackerEvents).toEqual([]);
    expect(endpointIds).toEqual([w.victimEndpoint.id]);
  });
});
