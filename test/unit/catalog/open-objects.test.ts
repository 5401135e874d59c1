import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explicitOpenObjects } from '../../../lambdas/shared/catalog/open-objects.js';

type Obj = Record<string, unknown>;

describe('explicitOpenObjects — table', () => {
  const cases: Array<[string, Obj, Obj]> = [
    ['a bare object', { type: 'object' }, { type: 'object', additionalProperties: true }],
    [
      'a type list with object',
      { type: ['object', 'null'], description: 'd' },
      { type: ['object', 'null'], description: 'd', additionalProperties: true },
    ],
    [
      'nested in properties, items and allOf; named members left as they are',
      {
        type: 'object',
        properties: {
          meta: { type: 'object' },
          lines: { type: 'array', items: { type: 'object', properties: { a: {} } } },
        },
        allOf: [{ type: 'object' }],
        $defs: { any: { type: 'object' } },
      },
      {
        type: 'object',
        properties: {
          meta: { type: 'object', additionalProperties: true },
          lines: { type: 'array', items: { type: 'object', properties: { a: {} } } },
        },
        allOf: [{ type: 'object', additionalProperties: true }],
        $defs: { any: { type: 'object', additionalProperties: true } },
      },
    ],
    [
      'a closed or pattern-keyed object',
      { type: 'object', properties: { x: { type: 'object', additionalProperties: false } } },
      { type: 'object', properties: { x: { type: 'object', additionalProperties: false } } },
    ],
    [
      'an object typed by patternProperties',
      { type: 'object', patternProperties: { '^a': { type: 'object' } } },
      { type: 'object', patternProperties: { '^a': { type: 'object', additionalProperties: true } } },
    ],
    [
      'a schema using unevaluatedProperties anywhere (unchanged)',
      { allOf: [{ type: 'object' }], unevaluatedProperties: false },
      { allOf: [{ type: 'object' }], unevaluatedProperties: false },
    ],
    [
      'examples and enums are data, not schemas',
      { type: 'string', examples: [{ type: 'object' }], enum: [{ type: 'object' }] },
      { type: 'string', examples: [{ type: 'object' }], enum: [{ type: 'object' }] },
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    const before = structuredClone(input);
    expect(explicitOpenObjects(input)).toEqual(expected);
    expect(input).toEqual(before);
  });
});

describe('explicitOpenObjects — property', () => {
  const ajv = new Ajv2020({ strict: false, logger: false });
  const leaf = fc.constantFrom<Obj>({ type: 'string' }, { type: 'integer' }, {});
  const schema: fc.Arbitrary<Obj> = fc.letrec<{ node: Obj }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.constant({ type: 'object' }),
      fc.record({
        type: fc.constant('object'),
        properties: fc.dictionary(fc.constantFrom('a', 'b'), tie('node'), { maxKeys: 2 }),
      }),
      fc.record({ type: fc.constant('array'), items: tie('node') }),
      fc.record({ anyOf: fc.array(tie('node'), { minLength: 1, maxLength: 2 }) }),
      fc.record({
        allOf: fc.array(tie('node'), { minLength: 1, maxLength: 2 }),
        unevaluatedProperties: fc.constant(false),
      }),
    ),
  })).node;
  const json = fc.jsonValue({ maxDepth: 3 });
  // Objects with the members the schemas name, so the interesting branches are reached often.
  const value = fc.oneof(json, fc.dictionary(fc.constantFrom('a', 'b', 'c'), json, { maxKeys: 3 }));

  it('accepts exactly what the schema accepted', () => {
    fc.assert(
      fc.property(schema, fc.array(value, { maxLength: 5 }), (s, values) => {
        const before = ajv.compile(s);
        const after = ajv.compile(explicitOpenObjects(s));
        for (const v of values) expect(after(v)).toBe(before(v));
      }),
      { numRuns: 300 },
    );
  });
});
