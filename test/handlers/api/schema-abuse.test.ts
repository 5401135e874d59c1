/**
 * Schemas that could pin ingest (issue 20, finding 3), registered and published through the handlers
 * on dynalite: a backtracking `pattern` runs on a linear-time engine (a publish that would take a
 * backtracking engine longer than the universe answers at once, so this test would time out without
 * it), RE2-incompatible patterns and unbounded `uniqueItems` are refused at registration.
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
