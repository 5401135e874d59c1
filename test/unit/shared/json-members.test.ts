import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalDecimal, scanJson, survivesRoundTrip } from '../../../lambdas/shared/json-members.js';

describe('scanJson', () => {
  it.each([
    ['{"amount":1000000,"amount":5}', '/amount'],
    ['{"a":{"b":1,"c":2,"b":3}}', '/a/b'],
    ['{"a":[{"x":1},{"x":1,"x":2}]}', '/a/1/x'],
    ['{"a":1,"\\u0061":2}', '/a'], // the same name, escaped
    ['{"a/b":1,"a/b":2}', '/a~1b'],
    ['{"a":1,"b":{"a":2}}', undefined], // the same name in different objects is fine
    ['{ "a" : [ ] , "b" : { } }', undefined],
  ])('%s → duplicate at %s', (text, pointer) => {
    expect(scanJson(text).duplicate).toBe(pointer);
  });

  it('lists every number with its pointer', () => {
    expect(scanJson('{"a":[1,-2.5e3,{"b":100.000}],"c":"7","d":true,"e":null}').numbers).toEqual([
      { pointer: '/a/0', text: '1' },
      { pointer: '/a/1', text: '-2.5e3' },
      { pointer: '/a/2/b', text: '100.000' },
    ]);
  });

  it('finds no duplicate in anything JSON.stringify writes (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(scanJson(JSON.stringify(value)).duplicate).toBeUndefined();
      }),
    );
  });
});

describe('survivesRoundTrip', () => {
  it.each([
    ['100', true],
    ['100.000', true],
    ['1e2', true],
    ['0.1', true],
    ['-0', true],
    ['100.00000000000000000001', false],
    ['1234567890123456789', false],
    ['123456789012345678901234567890', false],
    ['1e400', false],
    ['9007199254740993', false],
  ])('%s → %s', (literal, survives) => {
    expect(survivesRoundTrip(literal)).toBe(survives);
  });

  it('every double written by JSON.stringify survives (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(survivesRoundTrip(JSON.stringify(n))).toBe(true);
      }),
    );
  });

  it('canonicalDecimal makes equal values equal text', () => {
    expect(canonicalDecimal('1.50e1')).toBe(canonicalDecimal('15'));
    expect(canonicalDecimal('0.000')).toBe('0');
  });
});
