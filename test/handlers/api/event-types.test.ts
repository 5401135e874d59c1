/**
 * The catalog routes and validation at publish, against dynalite + fauxqs through the real authorizer:
 * every route, every role (tenants and publishers read the catalog but cannot change it), and what a
 * publish of a catalogued type stores and sends.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as ingest } from '../../../lambdas/api/ingest.handler.js';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { BUILT_IN_NAMES, builtInType } from '../../../lambdas/shared/catalog/built-in.js';
import { catalogEntry, forgetCatalogEntry } from '../../../lambdas/shared/catalog/catalog.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import { addSchemaVersion, createEventType } from '../../../lambdas/shared/store/event-types.js';
import {
  apiEvent,
  fakeContext,
  type Harness,
  json,
  MAIN_TABLE,
  type RequestOptions,
  receiveAll,
  startHarness,
} from '../../support/harness.js';
import { recordMessages } from './pipeline.js';

let h: Harness;
let admin: string;
let publisher: string;
let tenant: string;

async function call(method: string, path: string, options: RequestOptions = {}) {
  return management(await apiEvent(method, path, options));
}

async function publish(body: Record<string, unknown>, key = admin) {
  return ingest(await apiEvent('POST', '/v1/events', { key, body }), fakeContext());
}

async function mint(body: Record<string, unknown>): Promise<string> {
  const response = await call('POST', '/v1/keys', { key: admin, body });
  expect(response.statusCode).toBe(201);
  return json(response).key as string;
}

async function eventCount(): Promise<number> {
  const result = await h.dynamo.send(
    new ScanCommand({
      TableName: MAIN_TABLE,
      FilterExpression: 'sk = :sk',
      ExpressionAttributeValues: { ':sk': { S: 'EVT' } },
    }),
  );
  return result.Count ?? 0;
}

const shipmentSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['shipmentId', 'parcels'],
  properties: {
    shipmentId: { type: 'string', minLength: 1 },
    parcels: {
      type: 'array',
      items: {
        type: 'object',
        required: ['weightGrams'],
        properties: { weightGrams: { type: 'integer', minimum: 1, maximum: 30000 } },
      },
    },
  },
};
const goodShipment = { shipmentId: 's-1', parcels: [{ weightGrams: 500 }] };

beforeAll(async () => {
  h = await startHarness();
  admin = (await createAdminKey(MAIN_TABLE)).key;
  publisher = await mint({ role: 'publisher' });
  tenant = await mint({ role: 'tenant', tenantId: 't_1' });
  forgetCatalogEntry();
});

afterAll(async () => {
  delete process.env.HERALD_STRICT_EVENT_TYPES;
  await h?.stop();
});

describe('POST /v1/event-types', () => {
  it('registers a type with a schema and examples as version 1 (admin, 201)', async () => {
    const response = await call('POST', '/v1/event-types', {
      key: admin,
      body: {
        name: 'shipment.sent',
        description: 'A parcel left',
        schema: shipmentSchema,
        examples: [goodShipment],
      },
    });
    expect(response.statusCode).toBe(201);
    expect(json(response)).toMatchObject({
      name: 'shipment.sent',
      version: 1,
      builtIn: false,
      archived: false,
      schema: shipmentSchema,
      examples: [goodShipment],
    });
  });

  it('refuses tenants and publishers with 403: they read the catalog, they do not change it', async () => {
    for (const key of [tenant, publisher]) {
      const response = await call('POST', '/v1/event-types', {
        key,
        body: { name: 'sneaky.type', description: 'no' },
      });
      expect(response.statusCode).toBe(403);
      expect(json(response).code).toBe('forbidden');
    }
  });

  it('answers 400 schema_validation_failed when an example does not match, naming it by pointer', async () => {
    const response = await call('POST', '/v1/event-types', {
      key: admin,
      body: {
        name: 'shipment.bad_example',
        description: 'x',
        schema: shipmentSchema,
        examples: [goodShipment, { shipmentId: 's-2', parcels: [{ weightGrams: 0 }] }],
      },
    });
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({
      code: 'schema_validation_failed',
      errors: [{ pointer: '/examples/1/parcels/0/weightGrams', message: 'must be >= 1' }],
    });
  });

  it.each([
    ['a schema that is not an object', { schema: 'string' }, 'invalid_request'],
    ['an unknown keyword (a typo)', { schema: { type: 'string', minLenght: 2 } }, 'invalid_request'],
    ['another draft', { schema: { $schema: 'http://json-schema.org/draft-07/schema#' } }, 'invalid_request'],
    ['an invalid keyword value', { schema: { type: 'nope' } }, 'invalid_request'],
    ['an unknown field', { schemas: {} }, 'invalid_request'],
  ])('answers 400 to %s', async (_name, extra, code) => {
    const response = await call('POST', '/v1/event-types', {
      key: admin,
      body: { name: 'shipment.invalid', description: 'x', ...extra },
    });
    expect(response.statusCode).toBe(400);
    expect(json(response).code).toBe(code);
  });

  it('refuses reserved herald.* names (400), built-in names and existing names (409)', async () => {
    const reserved = await call('POST', '/v1/event-types', {
      key: admin,
      body: { name: 'herald.x.y', description: 'x' },
    });
    expect(reserved.statusCode).toBe(400);
    const builtIn = await call('POST', '/v1/event-types', {
      key: admin,
      body: { name: 'order.placed', description: 'x' },
    });
    expect(builtIn.statusCode).toBe(409);
    const again = await call('POST', '/v1/event-types', {
      key: admin,
      body: { name: 'shipment.sent', description: 'x' },
    });
    expect(again.statusCode).toBe(409);
    expect(json(again).code).toBe('conflict');
  });
});

describe('GET /v1/event-types and /v1/event-types/{name}', () => {
  it('lists built-ins first, then registered types, to every role; pages with a cursor', async () => {
    await call('POST', '/v1/event-types', {
      key: admin,
      body: { name: 'note.added', description: 'no schema' },
    });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const response = await call('GET', '/v1/event-types', {
        key: tenant,
        query: { limit: '4', ...(cursor ? { cursor } : {}) },
      });
      expect(response.statusCode).toBe(200);
      const body = json(response) as { items: { name: string; schema?: unknown }[]; nextCursor?: string };
      expect(body.items.length).toBeLessThanOrEqual(4);
      for (const item of body.items) expect(item.schema).toBeUndefined();
      seen.push(...body.items.map((i) => i.name));
      cursor = body.nextCursor;
    } while (cursor !== undefined);
    // The built-ins are the schema files (test/unit/catalog/built-in.test.ts), sorted, first.
    expect(seen.slice(0, BUILT_IN_NAMES.length)).toEqual([...BUILT_IN_NAMES]);
    expect(seen).toContain('shipment.sent');
    expect(seen).toContain('note.added');
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('reads one type with its versions, for a publisher too; 404 for an unknown one', async () => {
    const response = await call('GET', '/v1/event-types/shipment.sent', { key: publisher });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({
      name: 'shipment.sent',
      version: 1,
      schema: shipmentSchema,
      versions: [{ version: 1, schema: shipmentSchema }],
    });
    const builtIn = json(await call('GET', '/v1/event-types/order.placed', { key: tenant }));
    // Its own dates, recorded when its schema file was generated, not one date for every built-in.
    const { createdAt, updatedAt } = builtInType('order.placed')!;
    expect(builtIn).toMatchObject({
      builtIn: true,
      version: 1,
      createdAt,
      updatedAt,
      versions: [{ version: 1, createdAt }],
    });
    expect(createdAt).toBe('2026-12-01T20:13:07.000Z');
    expect((await call('GET', '/v1/event-types/nope.nope', { key: tenant })).statusCode).toBe(404);
  });

  it('answers 400 to a cursor it did not issue', async () => {
    const response = await call('GET', '/v1/event-types', { key: tenant, query: { cursor: 'garbage' } });
    expect(response.statusCode).toBe(400);
  });
});

describe('publishing a catalogued type', () => {
  it('answers 400 schema_validation_failed with pointers, most specific first, and stores and sends nothing', async () => {
    await receiveAll(h.sqs, h.queues.subscriber, 30);
    const before = await eventCount();
    const response = await publish({
      type: 'shipment.sent',
      tenantId: 't_1',
      data: { parcels: [{ weightGrams: 1 }, { weightGrams: 'heavy' }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    const body = json(response) as { code: string; errors: { pointer: string; message: string }[] };
    expect(body.code).toBe('schema_validation_failed');
    expect(body.errors).toEqual([
      { pointer: '/data/parcels/1/weightGrams', message: 'must be integer' },
      { pointer: '/data/shipmentId', message: 'is required' },
    ]);
    expect(await eventCount()).toBe(before);
    expect(await receiveAll(h.sqs, h.queues.subscriber, 30)).toHaveLength(0);
  });

  it('caps errors at 20', async () => {
    const parcels = Array.from({ length: 40 }, () => ({ weightGrams: -1 }));
    const body = json(
      await publish({ type: 'shipment.sent', tenantId: 't_1', data: { shipmentId: 's', parcels } }),
    );
    expect((body.errors as unknown[]).length).toBe(20);
  });

  it('accepts a valid event, storing and sending the schema version it was validated against', async () => {
    await receiveAll(h.sqs, h.queues.subscriber, 30);
    const response = await publish({ type: 'shipment.sent', tenantId: 't_1', data: goodShipment });
    expect(response.statusCode).toBe(202);
    const id = json(response).id as string;
    const [message] = await receiveAll(h.sqs, h.queues.subscriber, 30);
    expect(JSON.parse(message?.Body ?? '{}')).toMatchObject({ id, schemaVersion: 1 });
    // Publishing is the commit point: dispatch records the event from the message.
    await recordMessages([message!]);
    const stored = json(await call('GET', `/v1/events/${id}`, { key: admin }));
    expect(stored).toMatchObject({ id, schemaVersion: 1, data: goodShipment });
  });

  it('validates Herald’s own order.placed from the bundled schema', async () => {
    const bad = await publish({
      type: 'order.placed',
      tenantId: 't_1',
      data: { orderId: '1', currency: 'EUR', lines: [{ sku: 'A', quantity: 0, unitPrice: 1 }] },
    });
    expect(json(bad)).toMatchObject({
      code: 'schema_validation_failed',
      errors: [{ pointer: '/data/lines/0/quantity' }],
    });
  });

  it('accepts unregistered types unless strict, where they answer 400 unknown_event_type', async () => {
    expect((await publish({ type: 'free.form', tenantId: 't_1', data: { any: 1 } })).statusCode).toBe(202);
    process.env.HERALD_STRICT_EVENT_TYPES = 'true';
    try {
      const strict = await publish({ type: 'free.form', tenantId: 't_1', data: { any: 1 } });
      expect(strict.statusCode).toBe(400);
      expect(json(strict).code).toBe('unknown_event_type');
      expect((await publish({ type: 'note.added', tenantId: 't_1', data: { any: 1 } })).statusCode).toBe(202);
    } finally {
      delete process.env.HERALD_STRICT_EVENT_TYPES;
    }
  });
});

describe('PUT /v1/event-types/{name}/schema', () => {
  it('accepts a compatible change as version 2 (a relaxed maximum, a dropped minLength, a documented field)', async () => {
    const next = structuredClone(shipmentSchema) as typeof shipmentSchema & {
      properties: Record<string, unknown>;
    };
    next.properties.parcels.items.properties.weightGrams.maximum = 70000;
    (next.properties as Record<string, unknown>).shipmentId = { type: 'string' };
    // The object is open, so only an unconstrained new field keeps every earlier event valid.
    next.properties.carrier = { description: 'Free text, e.g. "DHL"' };
    const response = await call('PUT', '/v1/event-types/shipment.sent/schema', {
      key: admin,
      body: { schema: next },
    });
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({ version: 2, schema: next });
    const read = json(await call('GET', '/v1/event-types/shipment.sent', { key: tenant }));
    expect((read.versions as { version: number }[]).map((v) => v.version)).toEqual([1, 2]);
    const heavy = await publish({
      type: 'shipment.sent',
      tenantId: 't_1',
      data: { shipmentId: 's', parcels: [{ weightGrams: 50000 }] },
    });
    expect(heavy.statusCode).toBe(202);
  });

  it('answers the same schema again with the current version, writing nothing', async () => {
    const current = json(await call('GET', '/v1/event-types/shipment.sent', { key: admin }));
    const response = await call('PUT', '/v1/event-types/shipment.sent/schema', {
      key: admin,
      body: { schema: current.schema },
    });
    expect(json(response).version).toBe(2);
  });

  it('refuses an incompatible change with 409 schema_incompatible and its reasons', async () => {
    const next = structuredClone(shipmentSchema) as typeof shipmentSchema & {
      additionalProperties?: boolean;
    };
    next.required = ['shipmentId', 'parcels', 'carrier'];
    next.properties.parcels.items.properties.weightGrams.maximum = 1000;
    next.additionalProperties = false;
    const response = await call('PUT', '/v1/event-types/shipment.sent/schema', {
      key: admin,
      body: { schema: next },
    });
    expect(response.statusCode).toBe(409);
    const body = json(response) as {
      code: string;
      reasons: { pointer: string; message: string }[];
      detail: string;
    };
    expect(body.code).toBe('schema_incompatible');
    expect(body.detail).toContain('shipment.sent.v2');
    expect(body.reasons).toEqual(
      expect.arrayContaining([
        { pointer: '/required', message: '"carrier" became required' },
        expect.objectContaining({ pointer: '/properties/parcels/items/properties/weightGrams/maximum' }),
        expect.objectContaining({ pointer: '/additionalProperties' }),
      ]),
    );
    expect(json(await call('GET', '/v1/event-types/shipment.sent', { key: admin })).version).toBe(2);
  });

  it('refuses tenants (403), built-ins (409) and unknown types (404)', async () => {
    const body = { schema: { type: 'object' } };
    expect(
      (await call('PUT', '/v1/event-types/shipment.sent/schema', { key: tenant, body })).statusCode,
    ).toBe(403);
    expect((await call('PUT', '/v1/event-types/order.placed/schema', { key: admin, body })).statusCode).toBe(
      409,
    );
    expect((await call('PUT', '/v1/event-types/nope.nope/schema', { key: admin, body })).statusCode).toBe(
      404,
    );
  });

  it('refuses adding a constraining schema to a type that had none (everything was accepted)', async () => {
    const response = await call('PUT', '/v1/event-types/note.added/schema', {
      key: admin,
      body: { schema: { type: 'object', required: ['text'] } },
    });
    expect(response.statusCode).toBe(409);
    expect(json(response).code).toBe('schema_incompatible');
  });
});

describe('the catalog cache (ingest side)', () => {
  it('serves a cached entry for at most the TTL (5 s), absent types included', async () => {
    await call('POST', '/v1/event-types', {
      key: admin,
      body: { name: 'cache.probe', description: 'x', schema: { type: 'object' } },
    });
    const t0 = 1_000_000;
    expect((await catalogEntry('cache.probe', t0))?.version).toBe(1);
    expect(await catalogEntry('cache.absent', t0)).toBeUndefined();
    // Written behind the cache's back, as another container's management function would.
    const changed = await addSchemaVersion('cache.probe', 1, {
      version: 2,
      schema: { type: 'object', description: 'v2' },
      createdAt: new Date().toISOString(),
    });
    expect(changed).toBe(true);
    const now = new Date().toISOString();
    await createEventType({
      name: 'cache.absent',
      description: 'x',
      version: 0,
      archived: false,
      createdAt: now,
      updatedAt: now,
    });
    expect((await catalogEntry('cache.probe', t0 + 4_999))?.version).toBe(1);
    expect(await catalogEntry('cache.absent', t0 + 4_999)).toBeUndefined();
    expect((await catalogEntry('cache.probe', t0 + 5_000))?.version).toBe(2);
    expect(await catalogEntry('cache.absent', t0 + 5_000)).toMatchObject({
      name: 'cache.absent',
      version: 0,
    });
  });
});

describe('DELETE /v1/event-types/{name}', () => {
  it('archives (admin): publishing then answers 400, the history stays readable', async () => {
    expect((await call('DELETE', '/v1/event-types/shipment.sent', { key: tenant })).statusCode).toBe(403);
    expect((await call('DELETE', '/v1/event-types/shipment.sent', { key: admin })).statusCode).toBe(204);
    const refused = await publish({ type: 'shipment.sent', tenantId: 't_1', data: goodShipment });
    expect(refused.statusCode).toBe(400);
    expect(json(refused).code).toBe('event_type_archived');
    const read = json(await call('GET', '/v1/event-types/shipment.sent', { key: tenant }));
    expect(read).toMatchObject({ archived: true, version: 2 });
    expect((read.versions as unknown[]).length).toBe(2);
    expect((await call('DELETE', '/v1/event-types/order.placed', { key: admin })).statusCode).toBe(409);
    expect((await call('DELETE', '/v1/event-types/nope.nope', { key: admin })).statusCode).toBe(404);
  });
});

describe('GET /v1/openapi/webhooks.json', () => {
  it('is a valid OpenAPI 3.1 document with one webhook per publishable type, for any role', async () => {
    const response = await call('GET', '/v1/openapi/webhooks.json', { key: tenant });
    expect(response.statusCode).toBe(200);
    const document = json(response) as { openapi: string; webhooks: Record<string, unknown> };
    const result = await new Validator().validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.webhooks)).toEqual(expect.arrayContaining(['order.placed', 'note.added']));
    // Archived types cannot be published, so receivers get no entry for them.
    expect(Object.keys(document.webhooks)).not.toContain('shipment.sent');
  });
});
