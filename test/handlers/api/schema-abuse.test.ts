/**
 * Schemas that could pin ingest (issue 20, finding 3), registered and published through the handlers
 * on dynalite: a backtracking `pattern` runs on a linear-time engine (a publish that would take a
 * backtracking engine longer than the universe answers at once, so this test would time out without
 * it), RE2-incompatible patterns and unbounded `uniqueItems` are refused at registration. And the
 * bound that holds whatever the subschemas do together: schemas whose work grows with the schema alone
 * are refused at registration, and a publish whose validation would spend its budget of checks stops
 * and answers 422 `validation_too_costly`, leaving the next publish unaffected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as ingest } from '../../../lambdas/api/ingest.handler.js';
import { handler as management } from '../../../lambdas/api/management.handler.js';
import { createAdminKey } from '../../../lambdas/shared/store/api-keys.js';
import {
  apiEvent,
  fakeContext,
  type Harness,
  json,
  MAIN_TABLE,
  startHarness,
} from '../../support/harness.js';

let h: Harness;
let admin: string;

const register = async (name: string, schema: Record<string, unknown>) =>
  management(
    await apiEvent('POST', '/v1/event-types', { key: admin, body: { name, description: 'abuse', schema } }),
  );

const publish = async (type: string, data: unknown) =>
  ingest(
    await apiEvent('POST', '/v1/events', { key: admin, body: { type, tenantId: 't_1', data } }),
    fakeContext(),
  );

beforeAll(async () => {
  h = await startHarness();
  admin = (await createAdminKey(MAIN_TABLE)).key;
});
afterAll(async () => {
  await h?.stop();
});

describe('pattern', () => {
  it('a catastrophic-backtracking pattern validates in linear time', async () => {
    const schema = { type: 'object', properties: { code: { type: 'string', pattern: '^(a+)+$' } } };
    expect((await register('abuse.pattern', schema)).statusCode).toBe(201);
    const hostile = await publish('abuse.pattern', { code: `${'a'.repeat(5000)}!` });
    expect(hostile.statusCode).toBe(400);
    expect(json(hostile).errors).toEqual([
      { pointer: '/data/code', message: 'must match pattern "^(a+)+$"' },
    ]);
    expect((await publish('abuse.pattern', { code: 'a'.repeat(5000) })).statusCode).toBe(202);
  });

  it('patternProperties run on the same engine', async () => {
    const schema = { type: 'object', patternProperties: { '^(x+)+$': { type: 'integer' } } };
    expect((await register('abuse.props', schema)).statusCode).toBe(201);
    expect((await publish('abuse.props', { [`${'x'.repeat(5000)}!`]: 'not checked' })).statusCode).toBe(202);
    expect((await publish('abuse.props', { xxxx: 'no' })).statusCode).toBe(400);
  });

  it('a pattern the linear engine cannot run (lookahead, backreference) is refused at registration', async () => {
    for (const pattern of ['^(?=a)a$', '(a)\\1']) {
      const response = await register(`abuse.re${pattern.length}`, { type: 'string', pattern });
      expect(response.statusCode, pattern).toBe(400);
      expect(json(response).code).toBe('invalid_request');
    }
  });
});

describe('uniqueItems', () => {
  it('is refused without a maxItems of at most 1000 beside it, with a pointer into the schema', async () => {
    const response = await register('abuse.unique', {
      type: 'object',
      properties: { items: { type: 'array', uniqueItems: true } },
    });
    expect(response.statusCode).toBe(400);
    expect(json(response).errors).toEqual([
      { pointer: '/schema/properties/items/uniqueItems', message: expect.stringContaining('maxItems') },
    ]);
    const tooMany = await register('abuse.unique2', { type: 'array', uniqueItems: true, maxItems: 100_000 });
    expect(tooMany.statusCode).toBe(400);
  });

  it('is accepted when bounded, and a property merely named uniqueItems is no keyword', async () => {
    expect(
      (await register('abuse.bounded', { type: 'array', uniqueItems: true, maxItems: 1000 })).statusCode,
    ).toBe(201);
    expect(
      (await register('abuse.named', { type: 'object', properties: { uniqueItems: true } })).statusCode,
    ).toBe(201);
  });
});

describe('members named like Object.prototype methods', () => {
  it('are data to uniqueItems and const: a valid publish is 202, a duplicate 400, never a 500', async () => {
    const schema = {
      type: 'object',
      properties: { items: { type: 'array', uniqueItems: true, maxItems: 10 } },
    };
    expect((await register('abuse.members', schema)).statusCode).toBe(201);
    expect((await publish('abuse.members', { items: [{}, { toString: '' }] })).statusCode).toBe(202);
    const duplicate = await publish('abuse.members', { items: [{ valueOf: 1 }, { valueOf: 1 }] });
    expect(duplicate.statusCode).toBe(400);
    expect(JSON.parse(duplicate.body ?? '{}')).toMatchObject({ code: 'schema_validation_failed' });
    expect((await register('abuse.const', { const: { toString: 'x' } })).statusCode).toBe(201);
    expect((await publish('abuse.const', { toString: 'x' })).statusCode).toBe(202);
    expect((await publish('abuse.const', { toString: 'y' })).statusCode).toBe(400);
  });
});

describe('what JSON.parse hides (issue 20, finding 4)', () => {
  const raw = async (dataText: string) =>
    ingest(
      await apiEvent('POST', '/v1/events', {
        key: admin,
        rawBody: `{"type":"abuse.amount","tenantId":"t_1","data":${dataText}}`,
      }),
      fakeContext(),
    );

  beforeAll(async () => {
    const schema = { type: 'object', properties: { amount: { type: 'integer', maximum: 100 } } };
    expect((await register('abuse.amount', schema)).statusCode).toBe(201);
  });

  it('a member name given twice in data is 400, pointing at the second', async () => {
    const response = await raw('{"amount":1000000,"amount":5}');
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({
      code: 'invalid_request',
      pointer: '/data/amount',
      errors: [{ pointer: '/data/amount', message: 'is a duplicate member name' }],
    });
    const nested = await raw('{"a":{"b":1,"b":2}}');
    expect(json(nested).pointer).toBe('/data/a/b');
  });

  it('a number the schema constrains but would check rounded is 400 at its pointer', async () => {
    const response = await raw('{"amount":100.00000000000000000001}');
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({
      code: 'schema_validation_failed',
      errors: [{ pointer: '/data/amount', message: expect.stringContaining('more precision') }],
    });
  });

  it('exact numbers, and over-precise numbers the schema does not constrain, are accepted as written', async () => {
    expect((await raw('{"amount":100.000}')).statusCode).toBe(202);
    expect(
      (await raw('{"amount":5,"ref":1234567890123456789,"x":[100.00000000000000000001]}')).statusCode,
    ).toBe(202);
  });
});

describe('validation work is bounded, whatever the schema', () => {
  /** `$defs` a1..a30, each applying the one before twice: 2^30 evaluations of `{}`. */
  const fanOut = () => {
    const $defs: Record<string, unknown> = { a0: { type: 'object' } };
    for (let i = 1; i <= 30; i++) {
      $defs[`a${i}`] = { allOf: [{ $ref: `#/$defs/a${i - 1}` }, { $ref: `#/$defs/a${i - 1}` }] };
    }
    return { $defs, $ref: '#/$defs/a30' };
  };
  /** Two branches per level, each descending into `x`: twice the work per level of the data. */
  const doubling = {
    $defs: {
      n: {
        type: 'object',
        oneOf: [
          { properties: { x: { $ref: '#/$defs/n' } } },
          { properties: { x: { $ref: '#/$defs/n' } }, required: ['y'] },
        ],
      },
    },
    $ref: '#/$defs/n',
  };
  const nested = (levels: number) => {
    let data: unknown = {};
    for (let i = 0; i < levels; i++) data = { x: data };
    return data;
  };

  it('refuses $refs that fan out, pointing into the schema', async () => {
    const response = await register('bound.fanout', fanOut());
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({
      code: 'invalid_request',
      errors: [
        {
          pointer: expect.stringMatching(/^\/schema\/\$defs\/a\d+/),
          message: expect.stringContaining('checks'),
        },
      ],
    });
    expect(json(response).detail ?? json(response).message).toMatch(/fan out/);
  });

  it('refuses a $ref cycle that never moves into the data', async () => {
    const response = await register('bound.cycle', {
      $defs: { a: { allOf: [{ $ref: '#/$defs/a' }] } },
      $ref: '#/$defs/a',
    });
    expect(response.statusCode).toBe(400);
    expect(json(response).code).toBe('invalid_request');
  });

  it('refuses a $ref into an enum value, a pattern too large, and its own meter keyword', async () => {
    const intoEnum = await register('bound.refenum', {
      properties: { a: { enum: [{ type: 'object' }] }, b: { $ref: '#/properties/a/enum/0' } },
    });
    expect(json(intoEnum).errors).toEqual([
      { pointer: '/schema/properties/b/$ref', message: expect.stringContaining('subschema') },
    ]);
    const big = await register('bound.bigpattern', { type: 'string', pattern: '^(a|b){0,1000}$' });
    expect(big.statusCode).toBe(400);
    expect(json(big).errors).toEqual([
      { pointer: '/schema/pattern', message: expect.stringContaining('instructions') },
    ]);
    const reserved = await register('bound.reserved', { 'x-herald-checks': { at: '', checks: -1e9 } });
    expect(reserved.statusCode).toBe(400);
  });

  it('refuses a schema too large to compile quickly: over 1,000 subschemas', async () => {
    const properties = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`p${i}`, { type: 'string' }]),
    );
    const response = await register('bound.large', { type: 'object', properties });
    expect(response.statusCode).toBe(400);
    expect(json(response).errors).toEqual([
      { pointer: '/schema/properties/p999', message: expect.stringContaining('at most 1000') },
    ]);
  });

  it("refuses an example that cannot be validated within an event's budget", async () => {
    const response = await management(
      await apiEvent('POST', '/v1/event-types', {
        key: admin,
        body: { name: 'bound.example', description: 'abuse', schema: doubling, examples: [nested(25)] },
      }),
    );
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({
      code: 'invalid_request',
      errors: [{ pointer: expect.stringMatching(/^\/examples\/0\/x/) }],
    });
  });

  it('stops a publish whose validation would spend its budget: 422 with where, and the next publish is unaffected', async () => {
    expect((await register('bound.doubling', doubling)).statusCode).toBe(201);
    expect((await publish('bound.doubling', nested(5))).statusCode).toBe(202);
    const costly = await publish('bound.doubling', nested(25));
    expect(costly.statusCode).toBe(422);
    expect(json(costly)).toMatchObject({
      code: 'validation_too_costly',
      limitName: 'validationChecks',
      limit: expect.any(Number),
      schemaVersion: 1,
      schemaPointer: expect.stringMatching(/^\/\$defs\/n/),
      errors: [{ pointer: expect.stringMatching(/^\/data(\/x)+$/), message: expect.any(String) }],
    });
    expect(json(costly).detail ?? json(costly).message).toMatch(/Send less data/);
    // The meter is the event's own: the next validation, of this type or another, starts afresh.
    expect((await publish('bound.doubling', nested(5))).statusCode).toBe(202);
    expect((await publish('abuse.pattern', { code: 'aaa' })).statusCode).toBe(202);
  });

  it('stops collecting errors on data wrong everywhere, answering the first', async () => {
    expect(
      (
        await register('bound.ints', {
          type: 'object',
          properties: { n: { type: 'array', items: { type: 'integer' } } },
        })
      ).statusCode,
    ).toBe(201);
    const response = await publish('bound.ints', { n: Array.from({ length: 20_000 }, () => 's') });
    expect(response.statusCode).toBe(422);
    expect(json(response).errors).toContainEqual({ pointer: '/data/n/0', message: 'must be integer' });
  });

  it('in a batch, only the costly item is refused', async () => {
    const response = await ingest(
      await apiEvent('POST', '/v1/events/batch', {
        key: admin,
        body: {
          events: [
            { type: 'bound.doubling', tenantId: 't_1', data: nested(25) },
            { type: 'bound.doubling', tenantId: 't_1', data: nested(3) },
          ],
        },
      }),
      fakeContext(),
    );
    expect(response.statusCode).toBe(207);
    const items = json(response).items as Array<{ status: number; problem?: { code: string } }>;
    expect(items.map((i) => i.status)).toEqual([422, 202]);
    expect(items[0]!.problem!.code).toBe('validation_too_costly');
  });
});
