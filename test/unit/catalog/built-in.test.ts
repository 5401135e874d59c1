import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeInvoice } from '../../../lambdas/jobs/invoice.js';
import { BUILT_IN_NAMES, builtInType } from '../../../lambdas/shared/catalog/built-in.js';
import { assertUsableSchema, validateOnce } from '../../../lambdas/shared/catalog/validator.js';
import { GENERATED_FILE, renderBuiltInModule } from '../../../scripts/gen-catalog.js';

describe('schemas/ (Herald’s own event types)', () => {
  it('the generated module is current: run `npm run gen:catalog` after editing a schema file', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(renderBuiltInModule());
  });

  it('has order.placed, invoice.created and the four operational types', () => {
    expect(BUILT_IN_NAMES).toEqual([
      'herald.delivery.exhausted',
      'herald.endpoint.disabled',
      'herald.endpoint.failing',
      'herald.endpoint.recovered',
      'invoice.created',
      'order.placed',
    ]);
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
