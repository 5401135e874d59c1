/**
 * The event-type catalog as a client sees it (issue 11): a malformed order is refused at publish with a
 * pointer and never stored or invoiced; a compatible schema change is accepted and its version reaches
 * the webhook; an incompatible one is refused with reasons; the receivers' OpenAPI export is valid.
 * Type names carry a random suffix, so the file also runs against a long-lived remote target.
 */
import { randomBytes } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import {
  createEndpoint,
  orderPlaced,
  publish,
  publishOk,
  tenantEvents,
  uniqueTenant,
  verifyWithLibrary,
} from './support/fixtures.js';
import { useHerald } from './support/suite.js';
import { receiverUnreachable } from './support/target.js';
import { waitUntil } from './support/wait.js';

const ctx = useHerald({ timeScale: 0.001 });
const TIMEOUT_MS = 60_000;
/** Ingest containers trust a registered type's catalog entry for up to 5 s (docs/api.md). */
const CATALOG_TTL_MS = 5_000;
const suffix = randomBytes(4)
  .toString('hex')
  .replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)]!);
const shipment = `e2e.shipment_${suffix}`;

const shipmentV1 = {
  type: 'object',
  required: ['shipmentId', 'weightGrams'],
  properties: {
    shipmentId: { type: 'string', minLength: 1 },
    weightGrams: { type: 'integer', minimum: 1, maximum: 30000 },
  },
};

describe.skipIf(receiverUnreachable('catalog'))('event-type catalog', () => {
  it('answers a bad order 400 with a pointer at publish; nothing is stored, no invoice is made', async () => {
    const tenantId = uniqueTenant('cat');
    await createEndpoint(ctx.api, { tenantId, url: ctx.receiver.url('cat-orders'), eventTypes: ['*'] });

    const bad = await publish(ctx.api, {
      type: 'order.placed',
      tenantId,
      data: { orderId: 'bad-1', currency: 'EUR', lines: [{ sku: 'A', quantity: 0, unitPrice: 100 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/problem+json');
    expect(bad.body).toMatchObject({
      code: 'schema_validation_failed',
      errors: [{ pointer: '/data/lines/0/quantity', message: 'must be >= 1' }],
    });

    // A good order afterwards is the marker: once its invoice webhook has arrived, the bad one would
    // have been invoiced and delivered too, had it been accepted.
    const good = await publishOk(ctx.api, { type: 'order.placed', tenantId, data: orderPlaced('good-1') });
    const webhooks = await waitUntil(
      () => ctx.receiver.accepted('cat-orders'),
      (r) => r.some((w) => w.body.includes('"invoice.created"')),
      { timeoutMs: TIMEOUT_MS, description: "the good order's invoice.created webhook" },
    );
    const events = await tenantEvents(ctx.api, tenantId);
    expect(events.map((e) => e.type).sort()).toEqual(['invoice.created', 'order.placed']);
    expect(events.find((e) => e.type === 'order.placed')?.id).toBe(good.id);
    expect(webhooks.some((w) => w.body.includes('bad-1'))).toBe(false);
    const order = JSON.parse(webhooks.find((w) => w.body.includes('"order.placed"'))!.body);
    expect(order.schemaVersion).toBe(1);
  });

  it('accepts a compatible schema change, whose version the webhook then carries', async () => {
    const tenantId = uniqueTenant('cat-v2');
    const created = await ctx.api.post('/v1/event-types', {
      name: shipment,
      description: 'A parcel left',
      schema: shipmentV1,
    });
    expect(created.status).toBe(201);
    const endpoint = await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url('cat-ship'),
      eventTypes: [shipment],
    });

    const v2 = structuredClone(shipmentV1);
    v2.properties.weightGrams.maximum = 70000;
    const changed = await ctx.api.request('PUT', `/v1/event-types/${shipment}/schema`, {
      json: { schema: v2 },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: shipment, version: 2 });

    // Heavier than version 1 allowed: accepted once the ingest container's cached entry has expired.
    const heavy = { type: shipment, tenantId, data: { shipmentId: 's-1', weightGrams: 50000 } };
    const accepted = await waitUntil(
      () => publish(ctx.api, heavy),
      (r) => r.status === 202,
      {
        timeoutMs: CATALOG_TTL_MS + TIMEOUT_MS,
        intervalMs: 250,
        description: 'a version-2-only event accepted',
      },
    );
    const [webhook] = await waitUntil(
      () => ctx.receiver.accepted('cat-ship'),
      (r) => r.length >= 1,
      { timeoutMs: TIMEOUT_MS, description: 'the shipment webhook' },
    );
    const payload = verifyWithLibrary(endpoint.secret, webhook!) as Record<string, unknown>;
    expect(payload).toMatchObject({ id: accepted.body.id, type: shipment, schemaVersion: 2 });
    const stored = await ctx.api.get(`/v1/events/${accepted.body.id}`);
    expect(stored.body).toMatchObject({ schemaVersion: 2 });
  });

  it('refuses an incompatible change with 409 schema_incompatible and its reasons; the version stays', async () => {
    const v3 = structuredClone(shipmentV1) as typeof shipmentV1 & { additionalProperties?: boolean };
    v3.required.push('carrier');
    v3.additionalProperties = false;
    const refused = await ctx.api.request('PUT', `/v1/event-types/${shipment}/schema`, {
      json: { schema: v3 },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'schema_incompatible' });
    const pointers = (refused.body.reasons as { pointer: string }[]).map((r) => r.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/required', '/additionalProperties']));
    expect((await ctx.api.get(`/v1/event-types/${shipment}`)).body).toMatchObject({ version: 2 });
  });

  it('exports a valid OpenAPI 3.1 webhooks document with the built-in and registered types', async () => {
    const exported = await ctx.api.get('/v1/openapi/webhooks.json');
    expect(exported.status).toBe(200);
    const result = await new Validator().validate(exported.body);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    const webhooks = exported.body.webhooks as Record<string, { post: { parameters: { name: string }[] } }>;
    expect(Object.keys(webhooks)).toEqual(
      expect.arrayContaining(['order.placed', 'herald.delivery.exhausted', shipment]),
    );
    expect(webhooks['order.placed']!.post.parameters.map((p) => p.name)).toEqual([
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
    ]);
  });
});
