/**
 * Properties of the filter checker against the catalog's built-in schemas (fast-check):
 * a filter the checker accepts never throws at evaluation on any instance valid under the schema,
 * and a condition the checker refuses on a declared field never filters a valid instance the way
 * its author meant: it matches none, or (anything-but of an impossible value on a scalar field) it
 * matches whenever the field is there, as if it were {"exists": true}.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_NAMES, builtInType } from '../../../../lambdas/shared/catalog/built-in.js';
import { validateValue } from '../../../../lambdas/shared/catalog/validator.js';
import { matchesFilter } from '../../../../lambdas/webhooks/filter/evaluate.js';
import { parseFilter } from '../../../../lambdas/webhooks/filter/pattern.js';
import { checkFilter } from '../../../../lambdas/webhooks/filter/schema-check.js';

type Schema = Record<string, unknown>;

/** Instances of the subset of JSON Schema the built-ins use (object, array, string, integer, number). */
function instanceOf(schema: Schema): fc.Arbitrary<unknown> {
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      const model = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, instanceOf(s)]));
      return fc.record(model, { requiredKeys: required });
    }
    case 'array':
      return fc.array(instanceOf(schema.items as Schema), {
        minLength: Number(schema.minItems ?? 0),
        maxLength: Math.min(Number(schema.maxItems ?? 3), 3),
      });
    case 'string':
      if (schema.format === 'date-time') {
        return fc
          .date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true })
          .map((d) => d.toISOString());
      }
      if (typeof schema.pattern === 'string') {
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .filter((s) => s.length >= Number(schema.minLength ?? 0));
      }
      return fc.string({ minLength: Number(schema.minLength ?? 0), maxLength: 12 });
    case 'integer':
      return fc.integer({
        min: Number(schema.minimum ?? -1e6),
        max: Math.min(Number(schema.maximum ?? 1e6), 1e9),
      });
    case 'number':
      return fc.double({
        min: Number(schema.minimum ?? -1e6),
        max: Number(schema.maximum ?? 1e6),
        noNaN: true,
      });
    default:
      return fc.jsonValue();
  }
}

/** Paths into the schema's fields (arrays seen through their items), plus typos. */
function pathsOf(schema: Schema, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  const inner = schema.type === 'array' ? (schema.items as Schema) : schema;
  for (const [key, child] of Object.entries((inner.properties ?? {}) as Record<string, Schema>)) {
    out.push([...prefix, key], ...pathsOf(child, [...prefix, key]));
  }
  return out;
}

/** The schema at a path of field names (arrays seen through their items). */
function schemaAt(schema: Schema, path: readonly string[]): Schema {
  let node = schema;
  for (const key of path) {
    const inner = node.type === 'array' ? (node.items as Schema) : node;
    node = ((inner.properties ?? {}) as Record<string, Schema>)[key]!;
  }
  return node;
}

const literal = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.integer({ min: -5, max: 2000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const condition = fc.oneof(
  literal,
  fc.record({ prefix: fc.string({ minLength: 1, maxLength: 3 }) }),
  fc.record({ suffix: fc.string({ minLength: 1, maxLength: 3 }) }),
  fc.record({ 'equals-ignore-case': fc.string({ maxLength: 3 }) }),
  fc.record({ exists: fc.boolean() }),
  fc.record({ 'anything-but': fc.oneof(literal, fc.array(literal, { minLength: 1, maxLength: 3 })) }),
  fc
    .tuple(fc.constantFrom('<', '<=', '=', '>=', '>'), fc.integer({ min: -10, max: 2000 }))
    .map(([op, n]) => ({ numeric: [op, n] })),
  fc
    .tuple(fc.integer({ min: -10, max: 100 }), fc.integer({ min: 1, max: 2000 }))
    .map(([lo, span]) => ({ numeric: ['>=', lo, '<', lo + span] })),
);

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function filterFor(paths: string[][]): fc.Arbitrary<Record<string, unknown>> {
  const path = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...paths) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...paths).map((p) => [...p.slice(0, -1), `${p[p.length - 1]}x`]),
    },
  );
  return fc
    .array(fc.tuple(path, fc.array(condition, { minLength: 1, maxLength: 3 })), {
      minLength: 1,
      maxLength: 3,
    })
    .map((entries) => {
      const data: Record<string, unknown> = {};
      for (const [p, conditions] of entries) setPath(data, p, conditions);
      return { data };
    });
}

describe.each(BUILT_IN_NAMES.map((name) => [name, builtInType(name)!] as const))(
  'filters on %s',
  (name, type) => {
    const schema = type.schema as Schema;
    const paths = pathsOf(schema);
    const check = (filter: unknown) => {
      const parsed = parseFilter(filter);
      if (!parsed.ok) return undefined;
      return {
        parsed: parsed.filter,
        result: checkFilter(parsed.filter, {
          tenantId: 't_1',
          types: [{ name, schema }],
          subscribes: () => true,
        }),
      };
    };

    it('the generator makes instances the schema accepts', async () => {
      const samples = fc.sample(instanceOf(schema), 50);
      for (const sample of samples)
        expect(await validateValue(`test:${name}`, schema, sample, '/data')).toEqual([]);
    });

    it('an accepted filter never throws at evaluation on a valid instance', async () => {
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(
          filterFor(paths),
          fc.array(instanceOf(schema), { minLength: 1, maxLength: 5 }),
          async (filter, instances) => {
            const checked = check(filter);
            fc.pre(checked !== undefined && checked.result.errors.length === 0);
            accepted += 1;
            for (const data of instances) {
              expect(await validateValue(`test:${name}`, schema, data, '/data')).toEqual([]);
              expect(() =>
                matchesFilter(checked!.parsed, { type: name, tenantId: 't_1', data }),
              ).not.toThrow();
              expect(typeof matchesFilter(checked!.parsed, { type: name, tenantId: 't_1', data })).toBe(
                'boolean',
              );
            }
          },
        ),
        { numRuns: 300 },
      );
      // The property is about accepted filters: make sure the generator reaches them.
      expect(accepted).toBeGreaterThan(30);
    });

    it('a refused condition on a declared field matches no valid instance, or filters nothing', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...paths),
          condition,
          fc.array(instanceOf(schema), { minLength: 1, maxLength: 5 }),
          async (path, cond, instances) => {
            const filter: Record<string, unknown> = {};
            setPath(filter, path, [cond]);
            const checked = check({ data: filter });
            fc.pre(checked !== undefined && checked.result.errors.length > 0);
            const present: Record<string, unknown> = {};
            setPath(present, path, [{ exists: true }]);
            const exists = parseFilter({ data: present });
            if (!exists.ok) throw new Error('exists filter refused');
            const isAnythingBut = typeof cond === 'object' && cond !== null && 'anything-but' in cond;
            // anything-but of several values may mix one impossible value with real ones: not this property.
            fc.pre(
              !isAnythingBut ||
                !Array.isArray((cond as Record<string, unknown>)['anything-but']) ||
                (cond as Record<string, unknown[]>)['anything-but']!.length === 1,
            );
            const scalar = !['object', 'array'].includes(String(schemaAt(schema, path).type));
            for (const data of instances) {
              const input = { type: name, tenantId: 't_1', data };
              const expected = isAnythingBut && scalar ? matchesFilter(exists.filter, input) : false;
              expect(matchesFilter(checked!.parsed, input)).toBe(expected);
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  },
);
