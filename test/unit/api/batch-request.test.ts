import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  batchElements,
  checkItem,
  elementTexts,
  MAX_BATCH_EVENTS,
} from '../../../lambdas/api/batch-request.js';
import { memberText } from '../../../lambdas/shared/raw-json.js';

/** What the handler does with a body text: its `events` elements, each with its own text. */
function elementsOf(text: string) {
  return batchElements(JSON.parse(text), memberText(text, 'events'));
}

describe('elementTexts', () => {
  it('cuts an array into its elements as written, strings and nesting respected', () => {
    expect(elementTexts('[ {"a":1} , {"b":[1,2,{"c":"],}"}]}, 3, "x\\"]", null ]')).toEqual([
      '{"a":1}',
      '{"b":[1,2,{"c":"],}"}]}',
      '3',
      '"x\\"]"',
      'null',
    ]);
    expect(elementTexts('[]')).toEqual([]);
  });

  it('gives back every element of any JSON array, text for text', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), (values) => {
        const texts = values.map((v) => JSON.stringify(v));
        expect(elementTexts(`[${texts.join(' ,\n ')}]`)).toEqual(texts);
      }),
    );
  });
});

describe('batchElements', () => {
  it("keeps each item's text, so big numbers in data stay digit for digit", () => {
    const [first] = elementsOf('{"events":[{"type":"a.b","tenantId":"t","data":{"n":1234567890123456789}}]}');
    expect(first!.text).toBe('{"type":"a.b","tenantId":"t","data":{"n":1234567890123456789}}');
  });

  it.each([
    ['an array', '[]', /JSON object/],
    ['no events', '{}', /"events" is required/],
    ['events not an array', '{"events":{}}', /"events" is required/],
    ['an unknown member', '{"events":[],"extra":1}', /Unknown field "extra"/],
    ['no events in the list', '{"events":[]}', /1 to 100 events; it holds 0/],
  ])('answers 400 for %s', (_label, text, message) => {
    expect(() => elementsOf(text)).toThrow(message);
  });

  it(`answers 400 for more than ${MAX_BATCH_EVENTS} events`, () => {
    const item = '{"type":"a.b","tenantId":"t","data":{}}';
    expect(elementsOf(`{"events":[${Array(MAX_BATCH_EVENTS).fill(item).join(',')}]}`)).toHaveLength(100);
    expect(() =>
      elementsOf(
        `{"events":[${Array(MAX_BATCH_EVENTS + 1)
          .fill(item)
          .join(',')}]}`,
      ),
    ).toThrow(/it holds 101/);
  });
});

describe('checkItem', () => {
  const check = (value: unknown) => checkItem(value, JSON.stringify(value));

  it('accepts an event with or without an idempotencyKey', () => {
    expect(check({ type: 'order.placed', tenantId: 't_1', data: { a: 1 } })).toMatchObject({
      ok: true,
      input: { type: 'order.placed', tenantId: 't_1', dataJson: '{"a":1}' },
    });
    expect(check({ type: 'order.placed', tenantId: 't_1', data: {}, idempotencyKey: 'k-1' })).toMatchObject({
      ok: true,
      idempotencyKey: 'k-1',
    });
  });

  it.each([
    ['not an object', 'x', 400, 'invalid_request', undefined],
    ['an unknown field', { type: 'a.b', tenantId: 't', data: {}, extra: 1 }, 400, 'invalid_request', 'extra'],
    ['a bad type', { type: 'Bad', tenantId: 't', data: {} }, 400, 'invalid_request', 'type'],
    ['a reserved type', { type: 'herald.x.y', tenantId: 't', data: {} }, 400, 'invalid_request', 'type'],
    ['a bad tenant', { type: 'a.b', tenantId: 'a#b', data: {} }, 400, 'invalid_request', 'tenantId'],
    ['no data', { type: 'a.b', tenantId: 't' }, 400, 'invalid_request', 'data'],
    [
      'a key that is not a string',
      { type: 'a.b', tenantId: 't', data: {}, idempotencyKey: 7 },
      400,
      'invalid_request',
      'idempotencyKey',
    ],
    [
      'an empty key',
      { type: 'a.b', tenantId: 't', data: {}, idempotencyKey: '' },
      400,
      'invalid_request',
      'idempotencyKey',
    ],
    [
      'a key of 256 characters',
      { type: 'a.b', tenantId: 't', data: {}, idempotencyKey: 'k'.repeat(256) },
      400,
      'invalid_request',
      'idempotencyKey',
    ],
    [
      'a non-ASCII key',
      { type: 'a.b', tenantId: 't', data: {}, idempotencyKey: 'clé' },
      400,
      'invalid_request',
      'idempotencyKey',
    ],
    [
      'data nested deeper than 32',
      { type: 'a.b', tenantId: 't', data: JSON.parse(`${'{"a":'.repeat(32)}1${'}'.repeat(32)}`) },
      400,
      'invalid_request',
      'data',
    ],
    [
      'an event over 256 KiB',
      { type: 'a.b', tenantId: 't', data: { s: 'x'.repeat(262_144) } },
      413,
      'payload_too_large',
      undefined,
    ],
  ])("answers the single publish's problem for %s", (_label, value, status, code, field) => {
    const result = check(value);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ status, code });
    expect(result.error.detail?.field).toBe(field);
  });
});
