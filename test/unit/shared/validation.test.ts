import { describe, expect, it } from 'vitest';
import { HeraldError } from '../../../lambdas/shared/errors.js';
import {
  type BodyEvent,
  jsonDepth,
  MAX_EVENT_BYTES,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  readJsonBody,
  validateEventInput,
  validateIdempotencyKey,
} from '../../../lambdas/shared/validation.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const valid = { type: 'order.placed', tenantId: 't_1', data: { orderId: 'o_1' } };

function nested(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

function failure(fn: () => unknown): {
  status: number;
  code: string;
  detail: Record<string, unknown> | undefined;
} {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HeraldError);
    const e = error as HeraldError;
    return { status: e.status, code: e.code, detail: e.detail };
  }
  throw new Error('expected a HeraldError');
}

describe('validation', () => {
  describe('readJsonBody', () => {
    it('parses a JSON body', () => {
      expect(readJsonBody({ body: JSON.stringify(valid), headers: JSON_HEADERS })).toEqual(valid);
    });

    it('accepts parameters and any case in the content type, and any header-name case', () => {
      const body = JSON.stringify(valid);
      expect(readJsonBody({ body, headers: { 'content-type': 'application/json; charset=utf-8' } })).toEqual(
        valid,
      );
      expect(readJsonBody({ body, headers: { 'Content-Type': 'Application/JSON' } })).toEqual(valid);
    });

    it('decodes a base64-encoded body', () => {
      const body = Buffer.from(JSON.stringify(valid)).toString('base64');
      expect(readJsonBody({ body, isBase64Encoded: true, headers: JSON_HEADERS })).toEqual(valid);
    });

    it('accepts 32 levels of nesting', () => {
      expect(jsonDepth(readJsonBody({ body: nested(32), headers: JSON_HEADERS }))).toBe(32);
    });

    it('accepts exactly MAX_EVENT_BYTES', () => {
      const filler = 'x'.repeat(MAX_EVENT_BYTES - JSON.stringify({ a: '' }).length);
      const body = JSON.stringify({ a: filler });
      expect(Buffer.byteLength(body)).toBe(MAX_EVENT_BYTES);
      expect(readJsonBody({ body, headers: JSON_HEADERS })).toEqual({ a: filler });
    });

    it('ignores brackets inside strings when measuring depth', () => {
      const body = JSON.stringify({ s: '['.repeat(100), t: '\\"[[[[' });
      expect(readJsonBody({ body, headers: JSON_HEADERS })).toEqual({ s: '['.repeat(100), t: '\\"[[[[' });
    });

    const bigBody = JSON.stringify({ ...valid, data: { blob: 'x'.repeat(MAX_EVENT_BYTES) } });
    const multiByte = JSON.stringify({ ...valid, data: { blob: 'é'.repeat(MAX_EVENT_BYTES / 2) } });
    const invalidUtf8 = Buffer.concat([
      Buffer.from('{"type":"order.placed","tenantId":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('","data":{}}'),
    ]).toString('base64');

    it.each<[string, BodyEvent, number, string]>([
      ['malformed JSON', { body: '{"type": "order.placed",', headers: JSON_HEADERS }, 400, 'invalid_request'],
      ['trailing garbage', { body: '{} x', headers: JSON_HEADERS }, 400, 'invalid_request'],
      [
        'wrong content type',
        { body: '{}', headers: { 'content-type': 'text/plain' } },
        415,
        'unsupported_media_type',
      ],
      [
        'json-like content type',
        { body: '{}', headers: { 'content-type': 'application/jsonx' } },
        415,
        'unsupported_media_type',
      ],
      [
        'form content type',
        { body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        415,
        'unsupported_media_type',
      ],
      ['no content type', { body: '{}', headers: {} }, 415, 'unsupported_media_type'],
      ['no headers at all', { body: '{}' }, 415, 'unsupported_media_type'],
      ['empty body', { body: '', headers: JSON_HEADERS }, 400, 'invalid_request'],
      ['absent body', { headers: JSON_HEADERS }, 400, 'invalid_request'],
      ['33 levels of arrays', { body: nested(33), headers: JSON_HEADERS }, 400, 'invalid_request'],
      [
        '1000 levels, unclosed',
        { body: '{"a":'.repeat(1000), headers: JSON_HEADERS },
        400,
        'invalid_request',
      ],
      ['over 256 KiB', { body: bigBody, headers: JSON_HEADERS }, 413, 'payload_too_large'],
      [
        'over 256 KiB in bytes, not characters',
        { body: multiByte, headers: JSON_HEADERS },
        413,
        'payload_too_large',
      ],
      [
        'over 256 KiB once base64-decoded',
        { body: Buffer.from(bigBody).toString('base64'), isBase64Encoded: true, headers: JSON_HEADERS },
        413,
        'payload_too_large',
      ],
      [
        'invalid UTF-8',
        { body: invalidUtf8, isBase64Encoded: true, headers: JSON_HEADERS },
        400,
        'invalid_request',
      ],
    ])('%s → %i %s', (_name, event, status, code) => {
      expect(failure(() => readJsonBody(event))).toMatchObject({ status, code });
    });
  });

  describe('validateEventInput', () => {
    it('returns type, tenantId and data', () => {
      expect(validateEventInput(valid)).toEqual({ ...valid, dataJson: '{"orderId":"o_1"}' });
    });

    it.each(['herald.endpoint.failing', 'herald.delivery.exhausted', 'herald.anything'])(
      'refuses the reserved operational type %s (400 naming "type")',
      (type) => {
        expect(() => validateEventInput({ ...valid, type })).toThrow(/reserved/);
        try {
          validateEventInput({ ...valid, type });
        } catch (error) {
          expect(error).toMatchObject({ status: 400, detail: { field: 'type' } });
        }
      },
    );

    it('accepts limits exactly', () => {
      const type = `o.${'a'.repeat(126)}`;
      expect(validateEventInput({ ...valid, type, tenantId: 't'.repeat(64) })).toMatchObject({ type });
    });

    function nestedData(levels: number): Record<string, unknown> {
      let value: Record<string, unknown> = {};
      for (let i = 1; i < levels; i++) value = { d: value };
      return value;
    }

    it('accepts a body 32 levels deep and rejects 33', () => {
      expect(() => validateEventInput({ ...valid, data: nestedData(31) })).not.toThrow();
      expect(failure(() => validateEventInput({ ...valid, data: nestedData(32) }))).toMatchObject({
        status: 400,
        detail: { field: 'data' },
      });
    });

    it.each<[string, unknown, string | undefined]>([
      ['an array', [valid], undefined],
      ['null', null, undefined],
      ['a string', 'order.placed', undefined],
      ['type is a number', { ...valid, type: 5 }, 'type'],
      ['type missing', { tenantId: 't_1', data: {} }, 'type'],
      ['tenantId is an object', { ...valid, tenantId: { id: 't' } }, 'tenantId'],
      ['tenantId missing', { type: 'order.placed', data: {} }, 'tenantId'],
      ['tenantId empty', { ...valid, tenantId: '' }, 'tenantId'],
      ['tenantId of 65 characters', { ...valid, tenantId: 't'.repeat(65) }, 'tenantId'],
      ['data is an array', { ...valid, data: [1, 2] }, 'data'],
      ['data is a string', { ...valid, data: 'x' }, 'data'],
      ['data is null', { ...valid, data: null }, 'data'],
      ['data missing', { type: 'order.placed', tenantId: 't_1' }, 'data'],
      ['unknown top-level field', { ...valid, priority: 'high' }, 'priority'],
      [
        '__proto__ field',
        JSON.parse('{"type":"order.placed","tenantId":"t","data":{},"__proto__":{"a":1}}'),
        '__proto__',
      ],
      ...[
        'Order.placed',
        'order',
        'order.',
        '.order.placed',
        'order..placed',
        'order placed',
        'ordér.placed',
        '1order.placed',
        'order.placed-eu',
        `order.${'a'.repeat(123)}`,
      ].map((type): [string, unknown, string] => [
        `type ${JSON.stringify(type.slice(0, 20))}`,
        { ...valid, type },
        'type',
      ]),
    ])('%s → 400 invalid_request naming the field', (_name, body, field) => {
      const result = failure(() => validateEventInput(body));
      expect(result).toMatchObject({ status: 400, code: 'invalid_request' });
      if (field !== undefined) expect(result.detail).toEqual({ field });
    });
  });

  describe('validateIdempotencyKey', () => {
    it('passes absent keys and valid keys through', () => {
      expect(validateIdempotencyKey(undefined)).toBeUndefined();
      expect(validateIdempotencyKey('order-1')).toBe('order-1');
      const longest = 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH);
      expect(validateIdempotencyKey(longest)).toBe(longest);
    });

    it.each([
      ['256 characters', 'k'.repeat(256)],
      ['8 KiB', 'k'.repeat(8192)],
      ['empty', ''],
      ['a control character', 'a\nb'],
      ['non-ASCII', 'clé'],
    ])('rejects %s with 400 invalid_request', (_name, key) => {
      expect(failure(() => validateIdempotencyKey(key))).toMatchObject({
        status: 400,
        code: 'invalid_request',
        detail: { field: 'Idempotency-Key' },
      });
    });
  });

  describe('jsonDepth', () => {
    it.each<[unknown, number]>([
      [1, 0],
      ['s', 0],
      [null, 0],
      [{}, 1],
      [[], 1],
      [{ a: [1] }, 2],
      [{ a: { b: {} }, c: 1 }, 3],
    ])('%j → %i', (value, depth) => {
      expect(jsonDepth(value)).toBe(depth);
    });

    it('handles very deep values without overflowing the stack', () => {
      let value: unknown = 0;
      for (let i = 0; i < 100_000; i++) value = [value];
      expect(jsonDepth(value)).toBe(100_000);
    });
  });
});
