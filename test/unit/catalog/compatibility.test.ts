import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCompatibility, type Schema } from '../../../lambdas/shared/catalog/compatibility.js';
import * as engine from '../../../lambdas/shared/catalog/json-schema-engine.js';

type Obj = Record<string, unknown>;

const object = (properties: Obj, extra: Obj = {}): Obj => ({ type: 'object', properties, ...extra });

describe('checkCompatibility — table', () => {
  const compatible: Array<[string, Schema, Schema]> = [
    ['the same schema', object({ a: { type: 'string' } }), object({ a: { type: 'string' } })],
    ['only annotations changed', { type: 'string' }, { type: 'string', description: 'x', examples: ['a'] }],
    ['integer widened to number', { type: 'integer' }, { type: 'number' }],
    ['a type added to a list', { type: 'string' }, { type: ['string', 'null'] }],
    ['maximum relaxed', { type: 'integer', maximum: 10 }, { type: 'integer', maximum: 20 }],
    ['minimum dropped', { type: 'integer', minimum: 1 }, { type: 'integer' }],
    ['exclusiveMaximum from an inclusive one', { type: 'integer', maximum: 10 }, { exclusiveMaximum: 11 }],
    ['maxLength relaxed', { type: 'string', maxLength: 5 }, { type: 'string', maxLength: 6 }],
    ['pattern dropped', { type: 'string', pattern: '^a' }, { type: 'string' }],
    ['an enum value added', { enum: ['a', 'b'] }, { enum: ['a', 'b', 'c'] }],
    ['an enum replaced by its type', { enum: ['a', 'b'] }, { type: 'string' }],
    ['a required property no longer required', object({ a: {} }, { required: ['a'] }), object({ a: {} })],
    [
      'an optional property added to a closed object',
      object({ a: { type: 'string' } }, { additionalProperties: false }),
      object({ a: { type: 'string' }, b: { type: 'integer' } }, { additionalProperties: false }),
    ],
    ['an unconstrained property added to an open object', object({}), object({ b: { description: 'x' } })],
    ['additionalProperties opened', object({}, { additionalProperties: false }), object({})],
    ['minItems relaxed', { type: 'array', minItems: 2 }, { type: 'array', minItems: 1 }],
    [
      'items widened',
      { type: 'array', items: { type: 'integer' } },
      { type: 'array', items: { type: ['integer', 'string'] } },
    ],
    ['multipleOf 2 to 1 on integers', { type: 'integer', multipleOf: 2 }, { type: 'integer', multipleOf: 1 }],
    ['anything to true', { type: 'string' }, true],
    [
      'an unchanged anyOf next to a relaxed bound',
      { anyOf: [{ type: 'string' }], maxLength: 3 },
      { anyOf: [{ type: 'string' }] },
    ],
  ];

  it.each(compatible)('compatible: %s', (_name, previous, next) => {
    expect(checkCompatibility(previous, next, engine)).toEqual({ compatible: true, reasons: [] });
  });

  const incompatible: Array<[string, Schema, Schema, string, RegExp]> = [
    [
      'a property became required',
      object({ a: {} }),
      object({ a: {} }, { required: ['a'] }),
      '/required',
      /"a" became required/,
    ],
    ['number narrowed to integer', { type: 'number' }, { type: 'integer' }, '/type', /"number"/],
    ['a type removed', { type: ['string', 'null'] }, { type: 'string' }, '/type', /"null"/],
    ['an enum lost a value', { enum: ['a', 'b'] }, { enum: ['a'] }, '', /"b" was allowed/],
    ['a type became an enum', { type: 'string' }, { enum: ['a'] }, '/enum', /fixed set/],
    [
      'additionalProperties closed',
      object({ a: {} }),
      object({ a: {} }, { additionalProperties: false }),
      '/additionalProperties',
      /closed/,
    ],
    [
      'maximum tightened',
      { type: 'integer', maximum: 10 },
      { type: 'integer', maximum: 5 },
      '/maximum',
      /stricter/,
    ],
    ['minimum added', { type: 'integer' }, { type: 'integer', minimum: 0 }, '/minimum', /stricter/],
    [
      'maxLength tightened',
      { type: 'string', maxLength: 5 },
      { type: 'string', maxLength: 4 },
      '/maxLength',
      /5 to 4/,
    ],
    [
      'pattern changed',
      { type: 'string', pattern: '^a' },
      { type: 'string', pattern: '^ab' },
      '/pattern',
      /changed/,
    ],
    ['format added', { type: 'string' }, { type: 'string', format: 'email' }, '/format', /added/],
    ['minItems raised', { type: 'array' }, { type: 'array', minItems: 1 }, '/minItems', /added/],
    ['uniqueItems added', { type: 'array' }, { type: 'array', uniqueItems: true }, '/uniqueItems', /unique/],
    [
      'a nested property narrowed',
      object({ lines: { type: 'array', items: object({ q: { type: 'number' } }) } }),
      object({ lines: { type: 'array', items: object({ q: { type: 'integer' } }) } }),
      '/properties/lines/items/properties/q/type',
      /"number"/,
    ],
    [
      'a typed property added to an open object',
      object({}),
      object({ b: { type: 'string' } }),
      '/properties/b',
      /any value/,
    ],
    [
      'a listed property dropped from a closed object',
      object({ a: {} }, { additionalProperties: false }),
      object({}, { additionalProperties: false }),
      '/additionalProperties',
      /accepts nothing/,
    ],
    [
      'anyOf changed (not provable)',
      { anyOf: [{ type: 'string' }] },
      { anyOf: [{ type: 'string' }, { type: 'null' }] },
      '/anyOf',
      /cannot prove/,
    ],
    ['a $ref part changed', { type: 'object' }, { $defs: { x: {} }, $ref: '#/$defs/x' }, '', /\$ref/],
    ['constraints on what was unconstrained', true, { type: 'string' }, '', /everything was accepted/],
    [
      'multipleOf added on numbers',
      { type: 'number' },
      { type: 'number', multipleOf: 0.5 },
      '/multipleOf',
      /stricter/,
    ],
  ];

  it.each(incompatible)('incompatible: %s', (_name, previous, next, pointer, message) => {
    const verdict = checkCompatibility(previous, next, engine);
    expect(verdict.compatible).toBe(false);
    expect(verdict.reasons).toContainEqual({ pointer, message: expect.stringMatching(message) });
  });
});

// --- property-based: whatever the checker calls compatible really is -------------------------------

const NAMES = ['a', 'b', 'c'] as const;
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const defined = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const small = fc.integer({ min: -5, max: 10 });

const leaf: fc.Arbitrary<Obj> = fc.oneof(
  fc
    .record({
      type: fc.constant('string'),
      minLength: maybe(fc.nat(3)),
      maxLength: maybe(fc.nat(6)),
      pattern: maybe(fc.constantFrom('^a', '^[a-c]*$')),
    })
    .map(defined),
  fc
    .record({
      type: fc.constant('integer'),
      minimum: maybe(small),
      maximum: maybe(small),
      exclusiveMinimum: maybe(small),
      multipleOf: maybe(fc.constantFrom(1, 2, 3)),
    })
    .map(defined),
  fc
    .record({ type: fc.constant('number'), minimum: maybe(small), exclusiveMaximum: maybe(small) })
    .map(defined),
  fc.record({ type: fc.constantFrom<unknown>('boolean', 'null', ['string', 'integer'], ['number', 'null']) }),
  fc
    .uniqueArray(fc.constantFrom<unknown>(1, 2, 'a', 'b', true, null), { minLength: 1, maxLength: 4 })
    .map((e) => ({ enum: e })),
  fc.constant({}),
);

const schemaArb: fc.Arbitrary<Obj> = fc.letrec<{ node: Obj }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .record({
        properties: fc.dictionary(fc.constantFrom(...NAMES), tie('node'), { maxKeys: 3 }),
        required: fc.subarray([...NAMES]),
        additionalProperties: maybe(fc.oneof(fc.constant(false), tie('node'))),
        maxProperties: maybe(fc.nat(3)),
      })
      .map(({ properties, required, ...rest }) =>
        defined({ type: 'object', properties, required: required.filter((n) => n in properties), ...rest }),
      ),
    fc
      .record({
        items: maybe(tie('node')),
        minItems: maybe(fc.nat(2)),
        maxItems: maybe(fc.nat(4)),
        uniqueItems: maybe(fc.boolean()),
      })
      .map((r) => defined({ type: 'array', ...r })),
  ),
})).node;

/** A change to a schema: usually small (one keyword), so compatible and incompatible pairs both occur. */
function mutate(schema: Obj): fc.Arbitrary<Obj> {
  const keys = Object.keys(schema);
  const options: fc.Arbitrary<Obj>[] = [fc.constant(schema), schemaArb];
  if (keys.length > 0) {
    options.push(fc.constantFrom(...keys).map((k) => defined({ ...schema, [k]: undefined })));
  }
  for (const bound of [
    'minimum',
    'maximum',
    'exclusiveMinimum',
    'exclusiveMaximum',
    'minLength',
    'maxLength',
    'minItems',
    'maxItems',
    'maxProperties',
  ]) {
    if (typeof schema[bound] === 'number') {
      options.push(
        fc
          .integer({ min: -2, max: 2 })
          .map((d) => ({ ...schema, [bound]: Math.max(0, (schema[bound] as number) + d) })),
      );
    }
  }
  if (schema.type === 'integer') options.push(fc.constant({ ...schema, type: 'number' }));
  if (typeof schema.type === 'string' && schema.type !== 'null') {
    options.push(fc.constant({ ...schema, type: [schema.type, 'null'] }));
  }
  if (Array.isArray(schema.enum)) {
    options.push(
      fc
        .constantFrom<unknown>(3, 'c', false)
        .map((v) => ({ ...schema, enum: [...(schema.enum as unknown[]), v] })),
    );
    options.push(fc.constant({ ...schema, enum: (schema.enum as unknown[]).slice(1) }));
  }
  if (schema.type === 'object') {
    const props = (schema.properties ?? {}) as Record<string, Obj>;
    options.push(
      fc
        .tuple(fc.constantFrom(...NAMES), schemaArb)
        .map(([n, s]) => ({ ...schema, properties: { ...props, [n]: s } })),
      fc.constant({ ...schema, additionalProperties: false }),
      fc.constant(defined({ ...schema, additionalProperties: undefined })),
      fc.subarray(Object.keys(props)).map((required) => ({ ...schema, required })),
    );
    const names = Object.keys(props);
    if (names.length > 0) {
      options.push(
        fc
          .constantFrom(...names)
          .chain((n) => mutate(props[n]!).map((s) => ({ ...schema, properties: { ...props, [n]: s } }))),
      );
    }
  }
  if (schema.type === 'array' && schema.items !== undefined) {
    options.push(mutate(schema.items as Obj).map((items) => ({ ...schema, items })));
  }
  return fc.oneof(...options);
}

/** Values shaped by a schema (and some that are not), to find ones valid under it. */
function valueFor(schema: unknown, depth = 0): fc.Arbitrary<unknown> {
  const any = fc.jsonValue({ maxDepth: 1 });
  if (depth > 3 || typeof schema !== 'object' || schema === null) return any;
  const s = schema as Obj;
  const shaped: fc.Arbitrary<unknown>[] = [any];
  if (Array.isArray(s.enum)) shaped.push(fc.constantFrom(...(s.enum as unknown[])));
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  for (const type of types) {
    if (type === 'string')
      shaped.push(
        fc.oneof(fc.constantFrom('', 'a', 'ab', 'abc', 'abcdef', 'b'), fc.string({ maxLength: 7 })),
      );
    if (type === 'integer' || type === 'number') shaped.push(fc.integer({ min: -8, max: 12 }));
    if (type === 'number') shaped.push(fc.double({ min: -8, max: 12, noNaN: true }));
    if (type === 'null') shaped.push(fc.constant(null));
    if (type === 'boolean') shaped.push(fc.boolean());
    if (type === 'array') shaped.push(fc.array(valueFor(s.items, depth + 1), { maxLength: 5 }));
    if (type === 'object') {
      const props = (s.properties ?? {}) as Obj;
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const name of [...NAMES, 'd'])
        model[name] = valueFor(props[name] ?? s.additionalProperties, depth + 1);
      shaped.push(fc.record(model, { requiredKeys: [] }));
    }
  }
  return fc.oneof(...shaped);
}

const ajv = new Ajv2020({ strict: false, logger: false });
ajvFormats.default(ajv);

const pairs = schemaArb.chain((previous) => mutate(previous).map((next) => ({ previous, next })));

describe('checkCompatibility — properties', () => {
  it('whenever it answers compatible, every instance valid under the old schema is valid under the new', () => {
    fc.assert(
      fc.property(
        pairs.chain((pair) =>
          fc
            .array(valueFor(pair.previous), { minLength: 20, maxLength: 40 })
            // As ingest sees data: parsed JSON (fast-check can build null-prototype objects).
            .map((values) => ({ ...pair, values: values.map((v) => JSON.parse(JSON.stringify(v ?? null))) })),
        ),
        ({ previous, next, values }) => {
          // The routes refuse schemas that are not valid draft 2020-12 before checking compatibility.
          if (!ajv.validateSchema(next) || !checkCompatibility(previous, next, engine).compatible) return;
          const before = ajv.compile(previous);
          const after = ajv.compile(next);
          for (const value of values) {
            if (before(value)) expect({ value, valid: after(value) }).toEqual({ value, valid: true });
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('calls every schema compatible with itself and with an annotated copy', () => {
    fc.assert(
      fc.property(schemaArb, (schema) => {
        expect(checkCompatibility(schema, schema, engine).compatible).toBe(true);
        expect(checkCompatibility(schema, { ...schema, description: 'x' }, engine).compatible).toBe(true);
      }),
    );
  });

  it('the generated pairs are not one-sided: both verdicts occur often (so the first property is not vacuous)', () => {
    const sample = fc.sample(pairs, { numRuns: 400, seed: 11 });
    const compatibleCount = sample.filter(
      (p) => checkCompatibility(p.previous, p.next, engine).compatible,
    ).length;
    expect(compatibleCount).toBeGreaterThan(40);
    expect(sample.length - compatibleCount).toBeGreaterThan(40);
  });
});
