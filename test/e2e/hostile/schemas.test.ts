/**
 * Schemas that could pin ingest (issue 20, finding 3), through the API. Registration refuses those
 * whose work grows with the schema alone or escapes the meter, with a pointer into the schema, and
 * stores nothing (the type does not exist afterwards). A publish against an accepted but costly schema
 * answers at once — 400 when the data is invalid, 422 `validation_too_costly` when validating it would
 * spend the event's budget — and stores nothing. Type names carry a random suffix, so the file also
 * runs against a long-lived remote target.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../support/api.js';
import { tenantEvents, uniqueTenant } from '../support/fixtures.js';
import { recordHostile } from '../support/report.js';
import { useHerald } from '../support/suite.js';

const ctx = useHerald();
const tenantId = uniqueTenant('schemas');
const suffix = randomBytes(4)
  .toString('hex')
  .replace(/[0-9]/g, (d) => 'ghijklmnop'[Number(d)]!);
const typeName = (name: string) => `hostile.${name}_${suffix}`;

function fanOut(levels: number): Record<string, unknown> {
  const $defs: Record<string, unknown> = { a0: { type: 'object' } };
  for (let i = 1; i <= levels; i++) {
    $defs[`a${i}`] = { allOf: [{ $ref: `#/$defs/a${i - 1}` }, { $ref: `#/$defs/a${i - 1}` }] };
  }
  return { $defs, $ref: `#/$defs/a${levels}` };
}

/** Two branches per level, each descending into `x`: the work doubles with each level of the data. */
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

function nested(levels: number): unknown {
  let data: unknown = {};
  for (let i = 0; i < levels; i++) data = { x: data };
  return data;
}

interface Registration {
  readonly name: string;
  readonly slug: string;
  readonly schema: Record<string, unknown>;
  readonly examples?: unknown[];
  readonly pointer: RegExp;
}

const registrations: readonly Registration[] = [
  {
    name: 'uniqueItems without maxItems',
    slug: 'unique',
    schema: { type: 'array', uniqueItems: true },
    pointer: /^\/schema\/uniqueItems$/,
  },
  {
    name: 'a pattern RE2 cannot run (lookahead)',
    slug: 'lookahead',
    schema: { type: 'string', pattern: '^(?=a)a+$' },
    pointer: /^$/,
  },
  {
    name: 'a pattern of 4,004 RE2 instructions (^(a|b){0,1000}$)',
    slug: 'bigpattern',
    schema: { type: 'string', pattern: '^(a|b){0,1000}$' },
    pointer: /^\/schema\/pattern$/,
  },
  {
    name: '$refs that fan out: 30 levels, each applying the last twice (2^30 evaluations of {})',
    slug: 'fanout',
    schema: fanOut(30),
    pointer: /^\/schema\/\$defs\/a\d+/,
  },
  {
    name: 'a $ref cycle that never moves into the data',
    slug: 'cycle',
    schema: { $defs: { a: { allOf: [{ $ref: '#/$defs/a' }] } }, $ref: '#/$defs/a' },
    pointer: /^\/schema/,
  },
  {
    name: 'a $ref into an enum value (a subschema the meter never sees)',
    slug: 'refenum',
    schema: { properties: { a: { enum: [{ type: 'object' }] }, b: { $ref: '#/properties/a/enum/0' } } },
    pointer: /^\/schema\/properties\/b\/\$ref$/,
  },
  {
    name: 'the meter keyword x-herald-checks in the schema',
    slug: 'meter',
    schema: { 'x-herald-checks': { at: '', checks: -1e9 } },
    pointer: /^\/schema\/x-herald-checks$/,
  },
  {
    name: 'an example that spends an event budget (doubling oneOf, 25 levels)',
    slug: 'example',
    schema: doubling,
    examples: [nested(25)],
    pointer: /^\/examples\/0(\/x)+$/,
  },
];

describe('hostile schemas at registration', () => {
  it.each(registrations)('$name → 400, nothing stored', async ({ name, slug, schema, examples, pointer }) => {
    const type = typeName(slug);
    const response = await ctx.api.request<Problem & { errors?: Array<{ pointer: string }> }>(
      'POST',
      '/v1/event-types',
      { json: { name: type, description: name, schema, ...(examples ? { examples } : {}) } },
    );
    const stored = await ctx.api.request('GET', `/v1/event-types/${type}`);
    recordHostile({
      category: 'schemas',
      case: `registration: ${name}`,
      status: response.status,
      code: response.body.code,
      nothingStored: stored.status === 404,
    });
    expect({ status: response.status, code: response.body.code }).toEqual({
      status: 400,
      code: 'invalid_request',
    });
    expect(response.body.errors?.[0]?.pointer ?? '').toMatch(pointer);
    expect(stored.status).toBe(404);
  });
});

interface Publish {
  readonly name: string;
  readonly slug: string;
  readonly schema: Record<string, unknown>;
  readonly data: unknown;
  readonly status: number;
  readonly code: string;
}

const branches = Array.from({ length: 64 }, (_, i) => ({ type: 'object', required: [`k${i}`] }));

const publishes: readonly Publish[] = [
  {
    name: 'a backtracking pattern ^(a+)+$ against 5,000 a and a !',
    slug: 'backtrack',
    schema: { type: 'object', properties: { code: { type: 'string', pattern: '^(a+)+$' } } },
    data: { code: `${'a'.repeat(5000)}!` },
    status: 400,
    code: 'schema_validation_failed',
  },
  {
    name: 'a oneOf that doubles per level, data 25 levels deep (2^25 evaluations)',
    slug: 'doubling',
    schema: doubling,
    data: nested(25),
    status: 422,
    code: 'validation_too_costly',
  },
  {
    name: 'anyOf of 64 branches over 20,000 items matching the last one',
    slug: 'anyof',
    schema: { type: 'object', properties: { items: { type: 'array', items: { anyOf: branches } } } },
    data: { items: Array.from({ length: 20_000 }, () => ({ k63: 1 })) },
    status: 422,
    code: 'validation_too_costly',
  },
  {
    name: '20,000 items of the wrong type (errors past the cap)',
    slug: 'errors',
    schema: { type: 'object', properties: { n: { type: 'array', items: { type: 'integer' } } } },
    data: { n: Array.from({ length: 20_000 }, () => 's') },
    status: 422,
    code: 'validation_too_costly',
  },
  {
    name: 'uniqueItems over 1,000 objects that differ only in their last member',
    slug: 'uniqueobjects',
    schema: { type: 'object', properties: { items: { type: 'array', uniqueItems: true, maxItems: 1000 } } },
    data: { items: Array.from({ length: 1000 }, (_, i) => ({ a: 'x'.repeat(40), b: [1, 2, 3, 4], i })) },
    status: 422,
    code: 'validation_too_costly',
  },
];

describe('hostile publishes against costly schemas', () => {
  beforeAll(async () => {
    for (const p of publishes) {
      const created = await ctx.api.request('POST', '/v1/event-types', {
        json: { name: typeName(p.slug), description: p.name, schema: p.schema },
      });
      expect(created.status, p.name).toBe(201);
    }
  });

  it.each(publishes)('$name → $status $code, nothing stored', async ({ name, slug, data, status, code }) => {
    const before = (await tenantEvents(ctx.api, tenantId)).length;
    const response = await ctx.api.request<Problem>('POST', '/v1/events', {
      json: { type: typeName(slug), tenantId, data },
    });
    const after = (await tenantEvents(ctx.api, tenantId)).length;
    recordHostile({
      category: 'schemas',
      case: `publish: ${name}`,
      status: response.status,
      code: response.body.code,
      nothingStored: after === before,
    });
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(after).toBe(before);
  });

  it('a valid publish of the same type right after is accepted', async () => {
    const response = await ctx.api.request('POST', '/v1/events', {
      json: { type: typeName('doubling'), tenantId, data: nested(3) },
    });
    expect(response.status).toBe(202);
  });
});
