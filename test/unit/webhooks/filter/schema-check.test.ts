import { describe, expect, it } from 'vitest';
import { builtInType } from '../../../../lambdas/shared/catalog/built-in.js';
import { parseFilter } from '../../../../lambdas/webhooks/filter/pattern.js';
import { checkFilter, type SubscribedType } from '../../../../lambdas/webhooks/filter/schema-check.js';

const builtIn = (name: string): SubscribedType => ({ name, schema: builtInType(name)!.schema });

/** A registered type with the keywords the built-ins do not use: enum, const, $ref, anyOf, additionalProperties. */
const shipment: SubscribedType = {
  name: 'shipment.updated',
  schema: {
    type: 'object',
    $defs: {
      address: {
        type: 'object',
        properties: { country: { enum: ['DE', 'FR', 'US'] }, zip: { type: 'string' } },
      },
    },
    properties: {
      status: { enum: ['packed', 'shipped', 'delivered'] },
      carrier: { const: 'dhl' },
      to: { $ref: '#/$defs/address' },
      weight: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
      express: { type: 'boolean' },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      meta: { type: 'object' },
    },
  },
};

function check(filter: unknown, types: SubscribedType[], patterns: string[] = types.map((t) => t.name)) {
  const parsed = parseFilter(filter);
  if (!parsed.ok) throw new Error(`filter refused by the parser: ${JSON.stringify(parsed.errors)}`);
  return checkFilter(parsed.filter, {
    tenantId: 't_1',
    types,
    subscribes: (type) =>
      patterns.some((p) => p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1)))),
  });
}

describe('checkFilter against the built-in schemas', () => {
  const order = [builtIn('order.placed')];
  const accepted: Array<[string, unknown, SubscribedType[]]> = [
    ['a declared string', { data: { currency: ['EUR'] } }, order],
    ['numeric on a number', { data: { taxRate: [{ numeric: ['>', 0.1] }] } }, order],
    [
      'numeric on an integer inside array items',
      { data: { lines: { unitPrice: [{ numeric: ['>=', 1000] }] } } },
      order,
    ],
    ['exists on anything declared', { data: { lines: [{ exists: true }] } }, order],
    ['prefix on a string', { data: { orderId: [{ prefix: '10' }] } }, order],
    ['an integer literal on a number field', { data: { taxRate: [0] } }, order],
    [
      'type narrows to the type that has the field',
      { type: ['invoice.created'], data: { total: [{ numeric: ['>', 0] }] } },
      [builtIn('order.placed'), builtIn('invoice.created')],
    ],
    [
      '$or branches narrow separately',
      {
        $or: [
          { type: ['order.placed'], data: { taxRate: [0.2] } },
          { type: ['invoice.created'], data: { tax: [{ numeric: ['>', 0] }] } },
        ],
      },
      [builtIn('order.placed'), builtIn('invoice.created')],
    ],
    [
      'an operational type',
      { data: { failureStreak: [{ numeric: ['>=', 5] }] } },
      [builtIn('herald.endpoint.failing')],
    ],
  ];
  it.each(accepted)('accepts %s', (_name, filter, types) => {
    expect(check(filter, types).errors).toEqual([]);
  });

  const refused: Array<[string, unknown, SubscribedType[], string, RegExp]> = [
    [
      'a typo in a path',
      { data: { ammount: [{ numeric: ['>', 100] }] } },
      order,
      '/data/ammount',
      /order\.placed: the schema has no field "ammount"/,
    ],
    [
      'a near miss suggests the name',
      { data: { curency: ['EUR'] } },
      order,
      '/data/curency',
      /did you mean "currency"\?/,
    ],
    ['a nested typo', { data: { lines: { skew: ['A'] } } }, order, '/data/lines/skew', /no field "skew"/],
    [
      'a field under a string',
      { data: { currency: { code: ['EUR'] } } },
      order,
      '/data/currency/code',
      /the value is a string/,
    ],
    [
      'a string compared with an integer field',
      { data: { lines: { quantity: ['2'] } } },
      order,
      '/data/lines/quantity/0',
      /compares with a string, but the field is an integer/,
    ],
    [
      'numeric on a string field',
      { data: { currency: [{ numeric: ['>', 1] }] } },
      order,
      '/data/currency/0',
      /"numeric" needs a number, but the field is a string/,
    ],
    [
      'prefix on a number field',
      { data: { taxRate: [{ prefix: '0' }] } },
      order,
      '/data/taxRate/0',
      /"prefix" needs a string/,
    ],
    [
      'a fraction on an integer field',
      { data: { lines: { quantity: [1.5] } } },
      order,
      '/data/lines/quantity/0',
      /compares with a number, but the field is an integer/,
    ],
    [
      'a field one of two subscribed types lacks',
      { data: { total: [{ numeric: ['>', 0] }] } },
      [builtIn('order.placed'), builtIn('invoice.created')],
      '/data/total',
      /^order\.placed: /,
    ],
    [
      'a type the endpoint does not subscribe to',
      { type: ['invoice.created'] },
      order,
      '/type/0',
      /does not subscribe to "invoice.created"/,
    ],
    ['another tenant', { tenantId: ['t_2'] }, order, '/tenantId/0', /only events of tenant "t_1"/],
    [
      'an error inside $or',
      { data: { $or: [{ currency: ['EUR'] }, { ammount: [1] }] } },
      order,
      '/data/$or/1/ammount',
      /no field "ammount"/,
    ],
  ];
  it.each(refused)('refuses %s', (_name, filter, types, pointer, message) => {
    const { errors } = check(filter, types);
    expect(errors.map((e) => e.pointer)).toContain(pointer);
    expect(errors.find((e) => e.pointer === pointer)!.message).toMatch(message);
  });

  it('names every type a shared mistake is refused by, once', () => {
    const { errors } = check({ data: { curency: ['EUR'] } }, [
      builtIn('order.placed'),
      builtIn('invoice.created'),
    ]);
    expect(errors).toEqual([
      {
        pointer: '/data/curency',
        message:
          'order.placed, invoice.created: the schema has no field "curency" here (did you mean "currency"?)',
      },
    ]);
  });
});

describe('checkFilter with enum, const, $ref, anyOf and open objects', () => {
  const accepted: Array<[string, unknown]> = [
    ['an enum value', { data: { status: ['shipped'] } }],
    ['a prefix some enum value has', { data: { status: [{ prefix: 'deliv' }] } }],
    ['a const', { data: { carrier: ['dhl'] } }],
    ['through a $ref', { data: { to: { country: ['FR'] } } }],
    ['an anyOf of integer and null', { data: { weight: [null, { numeric: ['<', 10] }] } }],
    ['any key of a map with a value schema', { data: { labels: { gift: [{ prefix: 'y' }] } } }],
    ['any key of an object without properties', { data: { meta: { anything: [1] } } }],
    ['anything-but of enum values', { data: { status: [{ 'anything-but': ['packed'] }] } }],
  ];
  it.each(accepted)('accepts %s', (_name, filter) => {
    expect(check(filter, [shipment]).errors).toEqual([]);
  });

  const refused: Array<[string, unknown, string, RegExp]> = [
    [
      'a value outside the enum',
      { data: { status: ['shiped'] } },
      '/data/status/0',
      /"shiped" is not a value the schema allows: the schema allows only "packed", "shipped", "delivered"/,
    ],
    [
      'a prefix no enum value has',
      { data: { status: [{ prefix: 'lost' }] } },
      '/data/status/0',
      /no value the schema allows matches/,
    ],
    ['another const', { data: { carrier: ['ups'] } }, '/data/carrier/0', /allows only "dhl"/],
    [
      'outside an enum behind a $ref',
      { data: { to: { country: ['UK'] } } },
      '/data/to/country/0',
      /allows only "DE", "FR", "US"/,
    ],
    [
      'a boolean on integer-or-null',
      { data: { weight: [true] } },
      '/data/weight/0',
      /compares with a boolean, but the field is an integer or a null/,
    ],
    [
      'numeric on a boolean',
      { data: { express: [{ numeric: ['>', 0] }] } },
      '/data/express/0',
      /"numeric" needs a number, but the field is a boolean/,
    ],
    [
      'a number where a map holds strings',
      { data: { labels: { gift: [1] } } },
      '/data/labels/gift/0',
      /compares with an integer, but the field is a string/,
    ],
    [
      'anything-but outside the enum',
      { data: { status: [{ 'anything-but': 'lost' }] } },
      '/data/status/0',
      /"lost" is not a value the schema allows/,
    ],
  ];
  it.each(refused)('refuses %s', (_name, filter, pointer, message) => {
    const { errors } = check(filter, [shipment]);
    expect(errors.find((e) => e.pointer === pointer)?.message).toMatch(message);
  });
});

describe('checkFilter without a schema', () => {
  it('accepts any well-formed filter and warns', () => {
    const result = check({ data: { anything: { at: ['all'] } } }, [{ name: 'legacy.thing' }]);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      {
        eventType: 'legacy.thing',
        message: 'legacy.thing has no schema: the filter is not checked against it',
      },
    ]);
  });

  it('still checks the types that have one', () => {
    const result = check({ data: { ammount: [1] } }, [{ name: 'legacy.thing' }, builtIn('order.placed')]);
    expect(result.errors.map((e) => e.pointer)).toEqual(['/data/ammount']);
    expect(result.warnings).toHaveLength(1);
  });
});
