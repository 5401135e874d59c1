import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeApi, problem, startFakeApi } from './fake-api.js';
import { emptyDir, herald } from './harness.js';

const TYPE = {
  name: 'shipment.sent',
  description: 'A parcel left',
  builtIn: false,
  archived: false,
  version: 1,
  schema: { type: 'object' },
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
};

describe('herald event-types', () => {
  let api: FakeApi;
  let cwd: string;
  const cli = (...argv: string[]) => herald([...argv, '--url', api.url, '--key', 'k'], { cwd });

  beforeAll(async () => {
    api = await startFakeApi();
  });
  afterAll(async () => {
    await api.close();
  });
  beforeEach(() => {
    api.requests.length = 0;
    cwd = emptyDir();
  });

  it('create --file sends a schemas/*.json-style file as the body', async () => {
    writeFileSync(
      join(cwd, 't.json'),
      JSON.stringify({
        name: 'shipment.sent',
        description: 'A parcel left',
        schema: { type: 'object' },
        examples: [{}],
      }),
    );
    api.on('POST', '/v1/event-types', { status: 201, body: TYPE });
    const result = await cli('event-types', 'create', '--file', 't.json');
    expect(result.code).toBe(0);
    expect(api.requests[0]?.body).toEqual({
      name: 'shipment.sent',
      description: 'A parcel left',
      schema: { type: 'object' },
      examples: [{}],
    });
    expect(result.stdout).toMatch(/^name\s+shipment\.sent$/m);
  });

  it('set-schema PUTs the schema file; a 409 prints its reasons and exits 1', async () => {
    writeFileSync(join(cwd, 's.json'), '{"type":"object","required":["a"]}');
    const reasons = [{ pointer: '/required', message: '"a" became required' }];
    api.on(
      'PUT',
      '/v1/event-types/shipment.sent/schema',
      problem(409, 'schema_incompatible', 'no', { reasons }),
    );
    const result = await cli('event-types', 'set-schema', 'shipment.sent', '--schema-file', 's.json');
    expect(api.requests[0]?.body).toEqual({ schema: { type: 'object', required: ['a'] } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('schema_incompatible');
    expect(result.stderr).toContain('"a\\" became required');
  });

  it('set-schema without --schema-file is a usage error (exit 2), before any request', async () => {
    const result = await cli('event-types', 'set-schema', 'shipment.sent');
    expect(result.code).toBe(2);
    expect(api.requests).toHaveLength(0);
  });

  it('list, get and archive call the routes', async () => {
    api.on('GET', '/v1/event-types', { status: 200, body: { items: [TYPE] } });
    api.on('GET', '/v1/event-types/shipment.sent', {
      status: 200,
      body: { ...TYPE, versions: [{ version: 1, createdAt: TYPE.createdAt }] },
    });
    api.on('DELETE', '/v1/event-types/shipment.sent', { status: 204 });
    expect((await cli('event-types', 'list')).stdout).toMatch(/shipment\.sent\s+1\s+active/);
    expect((await cli('event-types', 'get', 'shipment.sent')).stdout).toContain('"type": "object"');
    expect((await cli('event-types', 'archive', 'shipment.sent')).stdout).toBe('Archived shipment.sent\n');
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v1/event-types',
      'GET /v1/event-types/shipment.sent',
      'DELETE /v1/event-types/shipment.sent',
    ]);
  });

  it('export prints the webhooks document, or writes it with --out', async () => {
    const document = {
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      webhooks: { 'order.placed': {} },
    };
    api.on('GET', '/v1/openapi/webhooks.json', { status: 200, body: document });
    expect(JSON.parse((await cli('event-types', 'export')).stdout)).toEqual(document);
    const written = await cli('event-types', 'export', '--out', 'webhooks.json');
    expect(written.stdout).toBe('Wrote webhooks.json (1 webhooks)\n');
    expect(JSON.parse(readFileSync(join(cwd, 'webhooks.json'), 'utf8'))).toEqual(document);
  });
});
