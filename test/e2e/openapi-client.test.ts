/**
 * A generated client reads Herald's documents right (issue 18): responses captured live from the local
 * runtime, and webhooks as a receiver got them, are written into a short program
 * typed by openapi-typescript's output for openapi/openapi.json and for GET /v1/openapi/webhooks.json;
 * the program must compile. The same program against the documents as they were (bare free-form
 * objects, a defaulted field made required) must not, so the check cannot pass by accident.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderPlaced, uniqueTenant } from './support/fixtures.js';
import { clientFolder, generatedTypes, typeCheck } from './support/generated-client.js';
import { rememberSecret } from './support/receiver.js';
import { useHerald } from './support/suite.js';
import { receiverUnreachable } from './support/target.js';
import { waitUntil } from './support/wait.js';

const ctx = useHerald({ timeScale: 0.001 });
const TIMEOUT_MS = 60_000;
/** Registered without a schema, so its `data` is a free-form object in the webhooks document. */
const NOTE_TYPE = `e2e.note_${randomBytes(4).toString('hex')}`;

type Json = Record<string, unknown>;

/** What the program is typed against, every value as the runtime answered it. */
interface Captured {
  readonly endpoint: Json;
  readonly accepted: Json;
  readonly event: Json;
  readonly page: Json;
  readonly problem: Json;
  readonly portalLink: Json;
  readonly webhooksDocument: Json;
  readonly orderWebhook: Json;
  readonly noteWebhook: Json;
}

/**
 * The client program. Each `const` holds a live value under the type the generator gave its route, so
 * a field the document gets wrong (a missing property, `data` typed as an empty record) fails to compile.
 */
function program(captured: Captured): string {
  const literal = (value: unknown) => JSON.stringify(value, null, 2);
  return `import createClient from 'openapi-fetch';
import type { components, paths } from './api.js';
import type { webhooks } from './webhooks.js';

type Ok<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;
type Received<T extends keyof webhooks> = webhooks[T] extends {
  post: { requestBody: { content: { 'application/json': infer B } } };
}
  ? B
  : never;

const endpoint: Ok<'/v1/endpoints', 'post', 201> = ${literal(captured.endpoint)};
const accepted: components['schemas']['EventAccepted'] = ${literal(captured.accepted)};
const event: Ok<'/v1/events/{id}', 'get', 200> = ${literal(captured.event)};
const page: Ok<'/v1/events', 'get', 200> = ${literal(captured.page)};
const problem: components['schemas']['Problem'] = ${literal(captured.problem)};
const portalLink: Ok<'/v1/portal-links', 'post', 201> = ${literal(captured.portalLink)};
const order: Received<'order.placed'> = ${literal(captured.orderWebhook)};
const note: Received<'${NOTE_TYPE}'> = ${literal(captured.noteWebhook)};

// An event's data is indexable, and a typed webhook's data has its schema's fields.
const orderId: unknown = event.data['orderId'];
const firstOnPage: unknown = page.items?.[0]?.data['orderId'];
const quantity: number | undefined = order.data.lines[0]?.quantity;
const noteText: unknown = note.data['text'];

const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:3000' });

export async function use(): Promise<unknown[]> {
  // A defaulted field may be left out.
  const created = await client.POST('/v1/endpoints', {
    body: { tenantId: endpoint.tenantId, url: 'https://example.com/hooks', eventTypes: ['*'] },
  });
  const link = await client.POST('/v1/portal-links', { body: { tenantId: endpoint.tenantId } });
  const read = await client.GET('/v1/events/{id}', { params: { path: { id: accepted.id } } });
  // Every failure is a problem document with a machine-readable code.
  const code: components['schemas']['Problem']['code'] | undefined = read.error?.code;
  const data: Record<string, unknown> | undefined = read.data?.data;
  return [created.data?.secret, link.data?.url, code, data, problem.code, portalLink.expiresAt];
}

export const seen = [orderId, firstOnPage, quantity, noteText];
`;
}

/** Writes the generated types and the program for these documents into `dir`; answers the diagnostics. */
async function compile(dir: string, api: Json, webhooksDocument: Json, captured: Captured) {
  writeFileSync(join(dir, 'api.ts'), await generatedTypes(api));
  writeFileSync(join(dir, 'webhooks.ts'), await generatedTypes(webhooksDocument));
  writeFileSync(join(dir, 'program.ts'), program(captured));
  return typeCheck(join(dir, 'program.ts'));
}

const apiDocument = JSON.parse(
  readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'),
) as Json;

/** The documents as they were before issue 18: bare `{ "type": "object" }` and `enabled` defaulted. */
function regressed(api: Json, webhooksDocument: Json): { api: Json; webhooksDocument: Json } {
  const bare = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(bare);
    if (node === null || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'additionalProperties' && value === true) continue;
      out[key] = bare(value);
    }
    return out;
  };
  const oldApi = bare(api) as {
    components: { schemas: { EndpointInput: { properties: { enabled: Json } } } };
  };
  oldApi.components.schemas.EndpointInput.properties.enabled.default = true;
  return { api: oldApi as unknown as Json, webhooksDocument: bare(webhooksDocument) as Json };
}

describe.skipIf(receiverUnreachable('openapi-client'))(
  'a client generated from the OpenAPI documents',
  () => {
    let captured: Captured;
    const folders: { remove(): void }[] = [];
    afterAll(() => {
      for (const folder of folders) folder.remove();
    });

    beforeAll(async () => {
      const tenantId = uniqueTenant('oas');
      const api = ctx.api;
      const registered = await api.post('/v1/event-types', {
        name: NOTE_TYPE,
        description: 'A note was added',
      });
      expect(registered.status).toBe(201);
      const url = ctx.receiver.url('oas-client');
      const endpoint = await api.post('/v1/endpoints', {
        tenantId,
        url,
        eventTypes: ['order.placed', NOTE_TYPE],
      });
      expect(endpoint.status).toBe(201);
      rememberSecret(url, String(endpoint.body.secret));
      const accepted = await api.post('/v1/events', {
        type: 'order.placed',
        tenantId,
        data: orderPlaced('oas-1'),
      });
      const note = { text: 'hello', author: { name: 'Ada', tags: ['a'] } };
      expect((await api.post('/v1/events', { type: NOTE_TYPE, tenantId, data: note })).status).toBe(202);
      const received = await waitUntil(
        () => ctx.receiver.accepted('oas-client'),
        (r) => r.length >= 2,
        { timeoutMs: TIMEOUT_MS, description: 'the order.placed and note webhooks' },
      );
      // Publishing answers before the event is stored: read it back once it is.
      const event = await waitUntil(
        () => api.get(`/v1/events/${accepted.body.id}`),
        (r) => r.status === 200,
        { timeoutMs: TIMEOUT_MS, description: 'the order.placed event stored' },
      );
      const page = await api.get(`/v1/events?tenantId=${tenantId}`);
      const missing = await api.get('/v1/events/evt_01JD0000000000000000000000');
      const portalLink = await api.post('/v1/portal-links', { tenantId });
      const webhooksDocument = await api.get('/v1/openapi/webhooks.json');
      expect([accepted, page, missing, portalLink, webhooksDocument].map((r) => r.status)).toEqual([
        202, 200, 404, 201, 200,
      ]);
      const bodyOf = (type: string) =>
        JSON.parse(received.find((w) => w.body.includes(`"type":"${type}"`))!.body) as Json;
      captured = {
        endpoint: endpoint.body,
        accepted: accepted.body,
        event: event.body,
        page: page.body,
        problem: missing.body,
        portalLink: portalLink.body,
        webhooksDocument: webhooksDocument.body,
        orderWebhook: bodyOf('order.placed'),
        noteWebhook: bodyOf(NOTE_TYPE),
      };
      expect(captured.event).toMatchObject({ id: accepted.body.id, data: { orderId: 'oas-1' } });
    });

    it('compiles a program typed by openapi-typescript against the live responses', async () => {
      const folder = clientFolder();
      folders.push(folder);
      const diagnostics = await compile(folder.dir, apiDocument, captured.webhooksDocument, captured);
      expect(diagnostics).toEqual([]);
    });

    it('does not compile against the documents as they were (the check can fail)', async () => {
      const folder = clientFolder();
      folders.push(folder);
      const old = regressed(apiDocument, captured.webhooksDocument);
      const diagnostics = await compile(folder.dir, old.api, old.webhooksDocument, captured);
      const text = diagnostics.join('\n');
      expect(text).toMatch(/is not assignable to type 'never'/);
      expect(text).toMatch(/Property 'enabled' is missing/);
    });
  },
);
