import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeInvoice } from '../../../lambdas/jobs/invoice.handler.js';
import { BUILT_IN_NAMES, builtInType } from '../../../lambdas/shared/catalog/built-in.js';
import { assertUsableSchema, validateOnce } from '../../../lambdas/shared/catalog/validator.js';
import { GENERATED_FILE, renderBuiltInModule, SCHEMAS_DIR } from '../../../scripts/gen-catalog.js';

describe('schemas/ (Herald’s own event types)', () => {
  it('the generated module is current: run `npm run gen:catalog` after editing a schema file', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(renderBuiltInModule());
  });

  it('serves exactly the schema files, sorted: adding a file adds a type without editing this test', () => {
    const files = readdirSync(SCHEMAS_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
    expect(BUILT_IN_NAMES).toEqual(files);
  });

  it('has the types Herald itself relies on: order.placed, invoice.created and the operational ones', () => {
    expect(BUILT_IN_NAMES).toEqual(
      expect.arrayContaining([
        'herald.delivery.exhausted',
        'herald.endpoint.disabled',
        'herald.endpoint.failing',
        'herald.endpoint.recovered',
        'invoice.created',
        'order.placed',
      ]),
    );
  });

  it.each(BUILT_IN_NAMES)('%s: a usable draft 2020-12 schema whose examples validate', async (name) => {
    const type = builtInType(name)!;
    await assertUsableSchema(type.schema);
    expect(type.examples.length).toBeGreaterThan(0);
    for (const example of type.examples)
      expect(await validateOnce(type.schema, example, '/data')).toEqual([]);
  });

  it('operational types carry data.endpointId, and herald.delivery.exhausted data.eventId', () => {
    for (const name of BUILT_IN_NAMES.filter((n) => n.startsWith('herald.'))) {
      const schema = builtInType(name)!.schema as { required: string[] };
      expect(schema.required).toContain('endpointId');
    }
    expect((builtInType('herald.delivery.exhausted')!.schema as { required: string[] }).required).toContain(
      'eventId',
    );
  });

  it('what the invoice job emits as invoice.created matches that schema', async () => {
    const order = builtInType('order.placed')!.examples[1] as Parameters<typeof computeInvoice>[0];
    const data = { ...computeInvoice(order), eventId: 'evt_1', createdAt: new Date().toISOString() };
    expect(await validateOnce(builtInType('invoice.created')!.schema, data, '/data')).toEqual([]);
  });
});

// The operational events as lambdas/webhooks (health/report.ts, attempt.ts, dispatch.ts) emit them:
// each data shape must be valid under its built-in schema.
describe('operational events as Herald emits them', () => {
  const endpoint = { endpointId: 'ep_01JD0000000000000000000001', url: 'https://example.com/hook' };
  it.each([
    [
      'herald.endpoint.failing',
      { ...endpoint, failureStreak: 5, failingSince: '2026-12-01T00:00:00.000Z', lastError: 'HTTP 503' },
    ],
    ['herald.endpoint.failing', { ...endpoint, failureStreak: 5 }],
    [
      'herald.endpoint.recovered',
      { ...endpoint, failingSince: '2026-12-01T00:00:00.000Z', failureStreak: 6 },
    ],
    [
      'herald.endpoint.disabled',
      { ...endpoint, disabledReason: 'failing', disabledAt: '2026-12-06T00:00:00.000Z' },
    ],
    [
      'herald.delivery.exhausted',
      {
        endpointId: endpoint.endpointId,
        eventId: 'evt_01JD0000000000000000000001',
        eventType: 'order.placed',
        attempts: 8,
        lastError: 'timeout',
      },
    ],
  ])('%s %j is valid', async (name, data) => {
    expect(await validateOnce(builtInType(name)!.schema, data, '/data')).toEqual([]);
  });
});
