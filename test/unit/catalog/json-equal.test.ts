import fc from 'fast-check';
import fastDeepEqual from 'fast-deep-equal';
import { describe, expect, it } from 'vitest';
import { jsonEqual } from '../../../lambdas/shared/catalog/json-equal.js';
import { validateOnce } from '../../../lambdas/shared/catalog/validator.js';

describe('jsonEqual (Ajv equality for uniqueItems, const, enum)', () => {
  it('agrees with fast-deep-equal on JSON values without toString / valueOf members', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const members = JSON.stringify([a, b]);
        fc.pre(!members.includes('"toString"') && !members.includes('"valueOf"'));
        expect(jsonEqual(a, b)).toBe(fastDeepEqual(a, b));
        expect(jsonEqual(a, JSON.parse(JSON.stringify(a)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('compares members named toString and valueOf as data', () => {
    expect(jsonEqual({ toString: '' }, {})).toBe(false);
    expect(jsonEqual({ toString: '' }, { toString: '' })).toBe(true);
    expect(jsonEqual({ valueOf: 1 }, { valueOf: 2 })).toBe(false);
    expect(jsonEqual([1, { a: [null] }], [1, { a: [null] }])).toBe(true);
    expect(jsonEqual([], {})).toBe(false);
  });

  it('lets the validator judge such data instead of throwing', async () => {
    const unique = { type: 'array', uniqueItems: true };
    expect(await validateOnce(unique, [{}, { toString: '' }], '/data')).toEqual([]);
    expect(await validateOnce(unique, [{ toString: '' }, { toString: '' }], '/data')).toEqual([
      { pointer: '/data', message: 'must NOT have duplicate items (items ## 0 and 1 are identical)' },
    ]);
    expect(await validateOnce({ const: { valueOf: 1 } }, { valueOf: 1 }, '/data')).toEqual([]);
    expect(await validateOnce({ enum: [{ toString: 'a' }] }, { toString: 'b' }, '/data')).toHaveLength(1);
  });
});
