/**
 * Hostile publish bodies and headers. Each case asserts the status, the problem `code`, and that
 * nothing was stored (the tenant's event list stays empty) or published (a probe endpoint subscribed
 * to every type receives nothing; a valid sentinel event sent afterwards proves the probe works).
 */
import { describe, expect, it } from 'vitest';
import type { ApiResponse, Problem, RequestOptions } from '../support/api.js';
import { createEndpoint, publishOk, tenantEvents, uniqueTenant } from '../support/fixtures.js';
import { recordHostile } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { receiverUnreachable } from '../support/target.js';
import { holdsFor, waitUntil } from '../support/wait.js';

const ctx = useHerald();
const tenantId = uniqueTenant('hostile');
const PROBE = 'hostile-probe';

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < depth; i++) value = { d: value };
  return value;
}

const valid = { type: 'order.noted', tenantId, data: { orderId: 'x' } };
const json = (body: unknown): RequestOptions => ({
  raw: JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});

interface Case {
  readonly name: string;
  readonly request: RequestOptions;
  readonly status: number;
  /** The problem code; undefined where the HTTP server itself answers before Herald (no problem body). */
  readonly code: string | undefined;
}

const cases: readonly Case[] = [
  {
    name: 'malformed JSON',
    request: { raw: '{"type": "order.placed",', headers: { 'content-type': 'application/json' } },
    status: 400,
    code: 'invalid_request',
  },
  { name: 'JSON that is not an object', request: json([valid]), status: 400, code: 'invalid_request' },
  { name: 'JSON null', request: json(null), status: 400, code: 'invalid_request' },
  {
    name: 'wrong content type (text/plain)',
    request: { raw: JSON.stringify(valid), headers: { 'content-type': 'text/plain' } },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'no content type',
    request: { raw: JSON.stringify(valid) },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'form content type',
    request: { raw: 'type=order.placed', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'empty body',
    request: { raw: '', headers: { 'content-type': 'application/json' } },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'nested 40 levels deep',
    request: json({ ...valid, data: nested(40) }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'body over 256 KiB',
    request: json({ ...valid, data: { blob: 'x'.repeat(262_144) } }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'invalid UTF-8',
    request: {
      raw: Buffer.concat([
        Buffer.from(`{"type":"order.noted","tenantId":"${tenantId}","data":{"note":"`),
        Buffer.from([0xc3, 0x28, 0xff]),
        Buffer.from('"}}'),
      ]),
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_request',
  },
  { name: 'type is a number', request: json({ ...valid, type: 5 }), status: 400, code: 'invalid_request' },
  {
    name: 'tenantId is an object',
    request: json({ ...valid, tenantId: { id: 't' } }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'data is an array',
    request: json({ ...valid, data: [1, 2] }),
    status: 400,
    code: 'invalid_request',
  },
  { name: 'data is a string', request: json({ ...valid, data: 'x' }), status: 400, code: 'invalid_request' },
  { name: 'type missing', request: json({ tenantId, data: {} }), status: 400, code: 'invalid_request' },
  {
    name: 'tenantId missing',
    request: json({ type: 'order.noted', data: {} }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'unknown top-level field',
    request: json({ ...valid, priority: 'high' }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: '__proto__ field',
    request: {
      raw: `{"type":"order.noted","tenantId":"${tenantId}","data":{},"__proto__":{"admin":true}}`,
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_request',
  },
  ...[
    'Order.Placed',
    'order',
    'order..placed',
    '.order.placed',
    'order.placed.',
    'order placed',
    'ordér.placed',
    '1order.placed',
    `order.${'a'.repeat(123)}`,
  ].map(
    (type): Case => ({
      name: `bad event type ${JSON.stringify(type.slice(0, 20))}`,
      request: json({ ...valid, type }),
      status: 400,
      code: 'invalid_request',
    }),
  ),
  {
    name: 'tenantId of 65 characters',
    request: json({ ...valid, tenantId: 't'.repeat(65) }),
    status: 400,
    code: 'invalid_request',
  },
  { name: 'empty tenantId', request: json({ ...valid, tenantId: '' }), status: 400, code: 'invalid_request' },
  // Issue 10: a tenant id is a key component; `#` once let tenant a#b + key c share a#b#c with a + b#c.
  ...['a#b', 'has space', '-leading', 't/1', 'tenänt'].map(
    (tenantId): Case => ({
      name: `tenantId ${JSON.stringify(tenantId)} outside the pattern`,
      request: json({ ...valid, tenantId }),
      status: 400,
      code: 'invalid_request',
    }),
  ),
  ...['herald.endpoint.failing', 'herald.delivery.exhausted'].map(
    (type): Case => ({
      name: `reserved type ${type}`,
      request: json({ ...valid, type }),
      status: 400,
      code: 'invalid_request',
    }),
  ),
  {
    // Under the 256 KiB body limit, over SNS's 256 KiB once id, createdAt and attributes are added.
    name: 'body just under 256 KiB whose published event would not fit',
    request: json({ ...valid, data: { blob: 'x'.repeat(262_144 - 100) } }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'Idempotency-Key of 256 characters',
    request: {
      ...json(valid),
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k'.repeat(256) },
    },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'Idempotency-Key of 8 KiB',
    request: {
      ...json(valid),
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k'.repeat(8192) },
    },
    status: 400,
    code: 'invalid_request',
  },
  // What JSON.parse hides (issue 20, finding 4): a name given twice, a number the schema checks rounded.
  {
    name: 'a member name twice in data',
    request: {
      raw: `{"type":"order.noted","tenantId":"${tenantId}","data":{"orderId":"x","orderId":"y"}}`,
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a constrained number past double precision (taxRate 1.00000000000000000001, maximum 1)',
    request: {
      raw: `{"type":"order.placed","tenantId":"${tenantId}","data":{"orderId":"x","currency":"EUR","taxRate":1.00000000000000000001,"lines":[{"sku":"a","quantity":1,"unitPrice":1}]}}`,
      headers: { 'content-type': 'application/json' },
    },
    status: 400,
    code: 'schema_validation_failed',
  },
  // 64 KiB of headers exceeds both Node's and API Gateway's header limits: rejected before Herald runs.
  {
    name: 'a 64 KiB header value',
    request: {
      ...json(valid),
      headers: { 'content-type': 'application/json', 'x-padding': 'p'.repeat(65_536) },
    },
    status: 431,
    code: undefined,
  },
];

function problemOf(response: ApiResponse<Problem>): {
  status: number;
  code: string | undefined;
  contentType: string | null;
} {
  return {
    status: response.status,
    code: response.body.code,
    contentType: response.headers.get('content-type'),
  };
}

describe('hostile publish input', () => {
  it('a probe endpoint subscribed to every type exists', async () => {
    await createEndpoint(ctx.api, { tenantId, url: ctx.receiver.url(PROBE), eventTypes: ['*'] });
  });

  it.each(cases)('$name → $status $code, nothing stored', async ({ name, request, status, code }) => {
    // Compared with the count before, so one accepted hostile body fails its own case only.
    const before = (await tenantEvents(ctx.api, tenantId)).length;
    const response = await ctx.api.request<Problem>('POST', '/v1/events', request);
    const problem = problemOf(response);
    const after = await tenantEvents(ctx.api, tenantId);
    recordHostile({
      category: 'bodies',
      case: name,
      status: problem.status,
      code: problem.code,
      nothingStored: after.length === before,
    });
    expect({ status: problem.status, code: problem.code }).toEqual({ status, code });
    if (code !== undefined) expect(problem.contentType).toMatch(/^application\/problem\+json/);
    expect(after).toHaveLength(before);
  });

  it.skipIf(receiverUnreachable('hostile bodies: probe receiver'))(
    'nothing hostile reached the probe; a valid sentinel event afterwards does',
    async () => {
      const sentinel = await publishOk(ctx.api, { type: 'probe.sentinel', tenantId, data: {} });
      await waitUntil(
        () => ctx.receiver.received(PROBE),
        (r) => r.length >= 1,
        {
          timeoutMs: 60_000,
          description: 'the sentinel webhook',
        },
      );
      const all = await holdsFor(
        () => ctx.receiver.received(PROBE),
        (r) => r.length > 1,
        1_000,
      );
      expect(all.map((r) => r.webhookId)).toEqual([sentinel.id]);
      expect((await tenantEvents(ctx.api, tenantId)).map((e) => e.id)).toEqual([sentinel.id]);
    },
  );
});

describe('hostile but valid: numbers past double precision', () => {
  const numbers = '{"id":1234567890123456789,"x":1.5e20,"big":1e300,"tiny":1e-200,"neg":-9007199254740993}';
  const numbersTenant = uniqueTenant('numbers');

  it.skipIf(receiverUnreachable('hostile bodies: numbers receiver'))(
    'are accepted (202) and reach the receiver digit for digit',
    async () => {
      await createEndpoint(ctx.api, {
        tenantId: numbersTenant,
        url: ctx.receiver.url('numbers'),
        eventTypes: ['*'],
      });
      const response = await ctx.api.request<{ id: string }>('POST', '/v1/events', {
        raw: `{"type":"ledger.entry","tenantId":"${numbersTenant}","data":${numbers}}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(202);
      const [webhook] = await waitUntil(
        () => ctx.receiver.received('numbers'),
        (r) => r.length >= 1,
        { timeoutMs: 60_000, description: 'the big-number webhook' },
      );
      expect(webhook!.body).toContain(`"data":${numbers}`);
      const read = await ctx.api.request('GET', `/v1/events/${response.body.id}`);
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).toContain('"tiny":1e-200');
    },
  );
});

describe('hostile cursors', () => {
  it.each([
    ['forged attributes', Buffer.from('{"a":"b"}').toString('base64url')],
    [
      "another tenant's partition",
      Buffer.from(
        JSON.stringify({ pk: 'EVT#x', sk: 'EVT', gsi1pk: 'TENANT#victim#EVT', gsi1sk: '2020#x' }),
      ).toString('base64url'),
    ],
    ['not a cursor', 'garbage!'],
  ])('%s → 400 invalid_request', async (name, cursor) => {
    const response = await ctx.api.request<Problem>(
      'GET',
      `/v1/events?tenantId=${tenantId}&cursor=${cursor}`,
    );
    // A read: there is nothing it could store, so no stored check.
    recordHostile({
      category: 'bodies',
      case: `list cursor: ${name}`,
      status: response.status,
      code: response.body.code,
      nothingStored: undefined,
    });
    expect({ status: response.status, code: response.body.code }).toEqual({
      status: 400,
      code: 'invalid_request',
    });
  });
});
