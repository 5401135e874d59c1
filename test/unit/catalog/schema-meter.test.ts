/**
 * The validation meter (issue 20, finding 3): the metered copy of a schema, what one evaluation charges,
 * that metering never changes what a schema accepts, and that validation stops within the budget
 * however the subschemas combine.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChecksSpent, newBudget } from '../../../lambdas/shared/catalog/checks-budget.js';
import { newAjv } from '../../../lambdas/shared/catalog/json-schema-engine.js';
import { costlySchemaParts } from '../../../lambdas/shared/catalog/schema-limits.js';
import {
  BASE_CHECKS,
  CHECKS_PER_CHAR,
  checksBudgetFor,
  MAX_COLLECTED_ERRORS,
  METER_KEYWORD,
  type MeterCharge,
  meteredSchema,
} from '../../../lambdas/shared/catalog/schema-meter.js';
import { validateValue } from '../../../lambdas/shared/catalog/validator.js';

type Obj = Record<string, unknown>;

const chargeAt = (schema: unknown, ...path: (string | number)[]): MeterCharge => {
  let node = meteredSchema(schema) as unknown;
  for (const step of path) node = (node as Record<string | number, unknown>)[step];
  return (node as Obj)[METER_KEYWORD] as MeterCharge;
};

let nextKey = 0;
/** Validates with a fresh cache key (so each schema compiles on its own) within `budget`. */
const validate = (schema: Obj, value: unknown, budget = newBudget(JSON.stringify(value).length)) =>
  validateValue(`test:meter:${nextKey++}`, schema, value, '/data', budget);

/** What validation threw (a ChecksSpent), or the errors it answered. */
async function outcome(schema: Obj, value: unknown): Promise<unknown> {
  try {
    return await validate(schema, value);
  } catch (error) {
    return error;
  }
}

describe('meteredSchema', () => {
  it('writes a charge into every subschema, with its pointer, and leaves values and annotations alone', () => {
    const schema = {
      type: 'object',
      properties: { a: { enum: [{ type: 'object' }] }, 'b/c': { const: { x: 1 } } },
      items: { default: { type: 'string' }, examples: [{ type: 'string' }] },
      allOf: [{ $ref: '#/$defs/d' }],
      $defs: { d: { type: 'integer' } },
      dependencies: { a: ['b'] },
    };
    const metered = meteredSchema(schema) as Obj;
    expect(chargeAt(schema).at).toBe('');
    expect(chargeAt(schema, 'properties', 'a').at).toBe('/properties/a');
    expect(chargeAt(schema, 'properties', 'b/c').at).toBe('/properties/b~1c');
    expect(chargeAt(schema, 'allOf', 0).at).toBe('/allOf/0');
    expect(chargeAt(schema, '$defs', 'd').at).toBe('/$defs/d');
    const props = metered.properties as Record<string, Obj>;
    expect(props.a!.enum).toEqual([{ type: 'object' }]);
    expect(props['b/c']!.const).toEqual({ x: 1 });
    expect((metered.items as Obj).default).toEqual({ type: 'string' });
    expect((metered.dependencies as Obj).a).toEqual(['b']);
    expect(schema.properties.a).toEqual({ enum: [{ type: 'object' }] }); // the original is untouched
  });

  it.each([
    ['a plain subschema', { type: 'string' }, { checks: 4 + 3 }],
    ['three scalar enum values', { enum: [1, 'a', null] }, { checks: 4 + 3 + 3 }],
    ['one object enum value: a deep comparison', { enum: [{ a: 1 }] }, { checks: 4 + 3 + 40 + 4 * 2 }],
    ['a pattern, charged by the engine', { pattern: '^a$' }, { checks: 7, pattern: '^a$' }],
    ['a format, per character', { format: 'uri' }, { checks: 7, perChar: 16 }],
    [
      'pattern names, per member',
      { patternProperties: { '^x': {} } },
      { perMember: 1, namePatterns: ['^x'] },
    ],
    ['uniqueItems over objects: pairwise', { uniqueItems: true, maxItems: 5 }, { unique: 'deep' }],
    [
      'uniqueItems over strings: hashed',
      { uniqueItems: true, maxItems: 5, items: { type: 'string' } },
      { unique: 'scalar' },
    ],
  ])('%s', (_label, schema, expected) => {
    expect(chargeAt(schema)).toMatchObject(expected);
  });
});

describe('metering changes nothing a schema accepts', () => {
  const schemas: Obj[] = [
    { type: 'object', properties: { a: { type: 'integer' } }, unevaluatedProperties: false },
    { allOf: [{ properties: { a: true } }], unevaluatedProperties: false, properties: { b: {} } },
    { anyOf: [{}, { type: 'string' }], not: { type: 'null' } },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else
    { if: { properties: { a: { const: 1 } } }, then: { required: ['b'] }, else: { required: ['c'] } },
    { type: 'array', prefixItems: [{ type: 'integer' }], items: false, contains: {}, minContains: 1 },
    { type: 'array', items: { type: 'object' }, unevaluatedItems: false, uniqueItems: true, maxItems: 10 },
    { propertyNames: { maxLength: 2 }, dependentSchemas: { a: { required: ['b'] } } },
    {
      $defs: { n: { anyOf: [{ type: 'integer' }, { type: 'array', items: { $ref: '#/$defs/n' } }] } },
      $ref: '#/$defs/n',
    },
    {
      $id: 'https://example.com/tree',
      $dynamicAnchor: 'node',
      type: 'object',
      properties: { kids: { type: 'array', items: { $dynamicRef: '#node' } } },
    },
    {
      type: 'object',
      patternProperties: { '^x': { type: 'string' } },
      additionalProperties: { type: 'number' },
    },
  ];

  it.each(schemas.map((s, i) => [i, s] as const))(
    'schema %i: the same answer for any JSON value',
    (_i, schema) => {
      const plain = newAjv({ allErrors: true, strictTypes: false, strictTuples: false, logger: false });
      const metered = newAjv({ allErrors: true, strictTypes: false, strictTuples: false, logger: false });
      const a = plain.compile(schema);
      const b = metered.compile(meteredSchema(schema));
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
          expect(b(value)).toBe(a(value));
        }),
        { numRuns: 300 },
      );
    },
  );
});

describe('the budget', () => {
  it('grows with the data: a base, and more per character', () => {
    expect(checksBudgetFor(0)).toBe(BASE_CHECKS);
    expect(checksBudgetFor(1000)).toBe(BASE_CHECKS + 1000 * CHECKS_PER_CHAR);
  });

  it('stops $refs that fan out, naming where in the data and in the schema', async () => {
    const $defs: Obj = { a0: { type: 'object' } };
    for (let i = 1; i <= 30; i++)
      $defs[`a${i}`] = { allOf: [{ $ref: `#/$defs/a${i - 1}` }, { $ref: `#/$defs/a${i - 1}` }] };
    const spent = await outcome({ $defs, properties: { x: { $ref: '#/$defs/a30' } } }, { x: {} });
    expect(spent).toBeInstanceOf(ChecksSpent);
    expect(spent).toMatchObject({ reason: 'checks', pointer: '/data/x', limit: checksBudgetFor(8) });
    expect((spent as ChecksSpent).schemaPointer).toMatch(/^\/\$defs\/a\d+/);
  });

  it('stops a recursive oneOf that doubles per level of the data', async () => {
    const schema = {
      $defs: {
        n: {
          oneOf: [
            { properties: { x: { $ref: '#/$defs/n' } } },
            { properties: { x: { $ref: '#/$defs/n' } }, required: ['y'] },
          ],
        },
      },
      $ref: '#/$defs/n',
    };
    let deep: unknown = {};
    for (let i = 0; i < 31; i++) deep = { x: deep };
    expect(await outcome(schema, deep)).toMatchObject({ reason: 'checks' });
    expect(await outcome(schema, { x: { x: {} } })).toEqual([]); // shallow data is cheap
  });

  it('stops collecting errors past the cap, answering the first ones', async () => {
    const items = Array.from({ length: MAX_COLLECTED_ERRORS + 10 }, () => 'x');
    const spent = await outcome({ type: 'array', items: { type: 'integer' } }, items);
    expect(spent).toMatchObject({ reason: 'errors' });
    expect((spent as ChecksSpent).errors[0]).toEqual({ pointer: '/data/0', message: 'must be integer' });
    const fewer = (await outcome({ type: 'array', items: { type: 'integer' } }, ['x', 'y'])) as unknown[];
    expect(fewer).toHaveLength(2);
  });

  it('stops a recursion that never moves into the data (past the stack)', async () => {
    const spent = await outcome({ $defs: { a: { allOf: [{ $ref: '#/$defs/a' }] } }, $ref: '#/$defs/a' }, 1);
    expect(spent).toBeInstanceOf(ChecksSpent);
    expect(['checks', 'stack']).toContain((spent as ChecksSpent).reason);
  });

  it('is shared: what one validation spends, the next has no more', async () => {
    const schema = { type: 'array', items: { type: 'string', maxLength: 100 } };
    const data = Array.from({ length: 100 }, () => 'abc');
    const budget = newBudget(JSON.stringify(data).length);
    expect(await validate(schema, data, budget)).toEqual([]);
    const left = budget.left;
    expect(left).toBeLessThan(budget.limit);
    budget.left = 10;
    await expect(validate(schema, data, budget)).rejects.toBeInstanceOf(ChecksSpent);
  });

  it('a large valid event against a plain schema spends a small part of its budget', async () => {
    const line = { sku: 'SKU-0001', quantity: 2, unitPrice: 1250, currency: 'EUR' };
    const schema = {
      type: 'object',
      properties: {
        lines: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['sku', 'quantity'],
            properties: {
              sku: { type: 'string', pattern: '^[A-Z0-9-]{1,32}$' },
              quantity: { type: 'integer', minimum: 1 },
              unitPrice: { type: 'integer' },
              currency: { enum: ['EUR', 'USD', 'GBP'] },
            },
          },
        },
      },
    };
    const data = { lines: Array.from({ length: 3000 }, () => line) };
    const budget = newBudget(JSON.stringify(data).length);
    expect(await validate(schema, data, budget)).toEqual([]);
    expect(budget.limit - budget.left).toBeLessThan(budget.limit / 4);
  });
});

describe('schema limits the meter relies on', () => {
  it.each([
    ['#/$defs/a', true],
    ['#/properties/a/items/allOf/0', true],
    ['#', true],
    ['#anchor', true],
    ['#/properties/a/enum/0', false],
    ['#/$defs/a/const', false],
    ['#/examples/0', false],
    ['#/properties', false],
  ])('a $ref to %s is allowed: %s', (ref, allowed) => {
    const problems = costlySchemaParts({ $defs: { a: {} }, properties: { x: { $ref: ref } } });
    expect(problems.length === 0).toBe(allowed);
    if (!allowed) expect(problems[0]!.pointer).toBe('/properties/x/$ref');
  });

  it('a schema has at most 1,000 subschemas and 100 patterns (compiling is not metered)', () => {
    const props = (n: number, pattern: (i: number) => object) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, { type: 'string', ...pattern(i) }]));
    expect(costlySchemaParts({ properties: props(999, () => ({})) })).toEqual([]);
    expect(costlySchemaParts({ properties: props(1000, () => ({})) })).toEqual([
      { pointer: '/properties/p999', message: expect.stringContaining('at most 1000') },
    ]);
    const patterned = props(101, (i) => ({ pattern: `^a${i}$` }));
    expect(costlySchemaParts({ properties: patterned })).toEqual([
      { pointer: '/properties/p100/pattern', message: expect.stringContaining('at most 100') },
    ]);
  });

  it('the meter keyword is reserved', () => {
    expect(costlySchemaParts({ properties: { a: { [METER_KEYWORD]: { checks: -1e9 } } } })).toEqual([
      { pointer: `/properties/a/${METER_KEYWORD}`, message: expect.stringContaining('reserved') },
    ]);
  });
});
