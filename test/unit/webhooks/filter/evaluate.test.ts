import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesFilter } from '../../../../lambdas/webhooks/filter/evaluate.js';
import { FILTER_LIMITS, parseFilter } from '../../../../lambdas/webhooks/filter/pattern.js';

function compiled(filter: unknown) {
  const parsed = parseFilter(filter);
  if (!parsed.ok) throw new Error(`filter refused: ${JSON.stringify(parsed.errors)}`);
  return parsed.filter;
}

const event = (data: unknown, type = 'order.placed', tenantId = 't_1') => ({ type, tenantId, data });

describe('matchesFilter — EventBridge semantics', () => {
  const order = {
    orderId: '1001',
    currency: 'EUR',
    taxRate: 0.2,
    vip: true,
    coupon: null,
    lines: [
      { sku: 'A-1', quantity: 2, unitPrice: 1250 },
      { sku: 'B-7', quantity: 1, unitPrice: 999 },
    ],
    tags: ['gift', 'express'],
  };
  const cases: Array<[string, unknown, boolean]> = [
    ['exact string', { data: { currency: ['EUR'] } }, true],
    ['exact string, other value', { data: { currency: ['USD'] } }, false],
    ['any of the values', { data: { currency: ['USD', 'EUR'] } }, true],
    ['number by value', { data: { taxRate: [0.2] } }, true],
    ['boolean', { data: { vip: [true] } }, true],
    ['null matches null', { data: { coupon: [null] } }, true],
    ['a string never equals a number', { data: { taxRate: ['0.2'] } }, false],
    ['prefix', { data: { orderId: [{ prefix: '10' }] } }, true],
    ['suffix', { data: { orderId: [{ suffix: '02' }] } }, false],
    ['equals-ignore-case', { data: { currency: [{ 'equals-ignore-case': 'eur' }] } }, true],
    ['numeric range', { data: { taxRate: [{ numeric: ['>', 0, '<=', 0.2] }] } }, true],
    ['numeric on a string never matches', { data: { orderId: [{ numeric: ['>', 0] }] } }, false],
    ['numeric equality', { data: { taxRate: [{ numeric: ['=', 0.2] }] } }, true],
    ['exists true', { data: { coupon: [{ exists: true }] } }, true],
    ['exists false on a missing field', { data: { note: [{ exists: false }] } }, true],
    ['exists false on a present field', { data: { currency: [{ exists: false }] } }, false],
    ['a missing field matches no value', { data: { note: ['x'] } }, false],
    ['anything-but a value', { data: { currency: [{ 'anything-but': 'USD' }] } }, true],
    ['anything-but a list', { data: { currency: [{ 'anything-but': ['USD', 'EUR'] }] } }, false],
    ['anything-but on a missing field', { data: { note: [{ 'anything-but': 'x' }] } }, false],
    ['anything-but prefix', { data: { orderId: [{ 'anything-but': { prefix: '9' } }] } }, true],
    ['array element, any matches', { data: { tags: ['express'] } }, true],
    ['array of objects, nested field', { data: { lines: { sku: [{ prefix: 'B-' }] } } }, true],
    ['array of objects, numeric', { data: { lines: { quantity: [{ numeric: ['>', 5] }] } } }, false],
    [
      'fields across array elements are flattened, as EventBridge does',
      { data: { lines: { sku: ['A-1'], quantity: [1] } } },
      true,
    ],
    ['a field no element has', { data: { lines: { note: [{ exists: false }] } } }, true],
    ['all fields must match', { data: { currency: ['EUR'], vip: [false] } }, false],
    ['type', { type: ['order.placed'], data: { currency: ['EUR'] } }, true],
    ['type prefix', { type: [{ prefix: 'invoice.' }] }, false],
    ['tenantId', { tenantId: ['t_1'] }, true],
    ['$or, second alternative', { data: { $or: [{ currency: ['USD'] }, { vip: [true] }] } }, true],
    ['$or, none', { data: { $or: [{ currency: ['USD'] }, { vip: [false] }] } }, false],
    ['$or at the top', { $or: [{ type: ['x.y'] }, { data: { currency: ['EUR'] } }] }, true],
    ['a field under a scalar is missing', { data: { currency: { code: ['EUR'] } } }, false],
    ['an object is not a scalar', { data: { lines: [{ exists: true }] } }, true],
  ];
  it.each(cases)('%s', (_name, filter, expected) => {
    expect(matchesFilter(compiled(filter), event(order))).toBe(expected);
  });

  it('no filter passes every event', () => {
    expect(matchesFilter(undefined, event({}))).toBe(true);
  });

  it('reads only own properties, never the prototype', () => {
    const filter = compiled({ data: { constructor: [{ exists: true }], toString: [{ exists: true }] } });
    expect(matchesFilter(filter, event({}))).toBe(false);
    expect(matchesFilter(filter, event({ constructor: 1, toString: 'x' }))).toBe(true);
  });

  it('never throws, on any JSON as data', () => {
    const filter = compiled({
      data: {
        a: [1, 'x', null, true, { prefix: 'p' }, { numeric: ['>=', 0] }, { 'anything-but': [1, 'y'] }],
        b: {
          c: [{ exists: false }],
          $or: [{ d: [{ suffix: 'z' }] }, { e: [{ 'equals-ignore-case': 'Q' }] }],
        },
      },
    });
    fc.assert(
      fc.property(fc.jsonValue(), (data) => {
        expect(typeof matchesFilter(filter, event(data))).toBe('boolean');
      }),
    );
  });
});

describe('parseFilter — syntax and limits, pointers into the filter', () => {
  const refused: Array<[string, unknown, string]> = [
    ['not an object', ['x'], ''],
    ['empty', {}, ''],
    ['an unknown envelope field', { id: ['evt_1'] }, '/id'],
    ['data as an array', { data: ['x'] }, '/data'],
    ['a bare scalar instead of an array', { data: { currency: 'EUR' } }, '/data/currency'],
    ['an empty array', { data: { currency: [] } }, '/data/currency'],
    ['an unknown operator', { data: { amount: [{ greater: 1 }] } }, '/data/amount/0/greater'],
    ['two operators in one object', { data: { a: [{ prefix: 'a', suffix: 'b' }] } }, '/data/a/0'],
    ['numeric with a string', { data: { a: [{ numeric: ['>', '1'] }] } }, '/data/a/0/numeric/1'],
    ['numeric with a bad op', { data: { a: [{ numeric: ['!=', 1] }] } }, '/data/a/0/numeric/0'],
    ['an empty numeric range', { data: { a: [{ numeric: ['>', 5, '<', 1] }] } }, '/data/a/0/numeric'],
    ['exists not boolean', { data: { a: [{ exists: 'yes' }] } }, '/data/a/0/exists'],
    ['an empty prefix', { data: { a: [{ prefix: '' }] } }, '/data/a/0/prefix'],
    ['a $or of one', { data: { $or: [{ a: ['x'] }] } }, '/data/$or'],
    ['a key starting with $', { data: { $and: [{ a: ['x'] }] } }, '/data/$and'],
    ['numeric on type', { type: [{ numeric: ['>', 1] }] }, '/type/0'],
    ['a number as type', { type: [1] }, '/type/0'],
    ['a / in a key is escaped', { data: { 'a/b': 'x' } }, '/data/a~1b'],
  ];
  it.each(refused)('%s', (_name, filter, pointer) => {
    const parsed = parseFilter(filter);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.pointer)).toContain(pointer);
  });

  it('refuses more depth than the limit', () => {
    let nested: Record<string, unknown> = { leaf: ['x'] };
    for (let i = 0; i < FILTER_LIMITS.maxDepth; i++) nested = { n: nested };
    const parsed = parseFilter({ data: nested });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[0]!.message).toMatch(/deeper than 8/);
  });

  it('refuses more conditions than the limit', () => {
    const values = Array.from({ length: FILTER_LIMITS.maxConditions + 1 }, (_, i) => `v${i}`);
    const parsed = parseFilter({ data: { a: values } });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[0]).toMatchObject({ pointer: '/data/a/150' });
  });

  it('refuses a filter longer than the byte limit', () => {
    const parsed = parseFilter({ data: { a: ['x'.repeat(FILTER_LIMITS.maxBytes)] } });
    expect(parsed).toMatchObject({ ok: false, errors: [{ pointer: '', message: /longer than 4096 bytes/ }] });
  });

  it('accepts the documented forms', () => {
    expect(
      parseFilter({
        type: ['order.placed', { prefix: 'invoice.' }],
        tenantId: [{ 'anything-but': 't_test' }],
        data: {
          currency: ['EUR', 'USD'],
          total: [{ numeric: ['>=', 100, '<', 1000] }],
          lines: { sku: [{ suffix: '-gift' }] },
          $or: [{ vip: [true] }, { coupon: [{ exists: true }] }],
        },
      }).ok,
    ).toBe(true);
  });
});
