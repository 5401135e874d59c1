import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memberText, minify, stringifyWithRaw } from '../../../lambdas/shared/raw-json.js';

describe('raw-json', () => {
  describe('memberText', () => {
    it('keeps numbers as written', () => {
      const text = '{"type":"a.b","data":{"id":1234567890123456789,"x":1.5e20,"big":1e300,"tiny":1e-200}}';
      expect(memberText(text, 'data')).toBe(
        '{"id":1234567890123456789,"x":1.5e20,"big":1e300,"tiny":1e-200}',
      );
    });

    it('takes the last of duplicate members and decodes member names, as JSON.parse does', () => {
      expect(memberText('{"data":{"a":1},"d\\u0061ta":{"b":2}}', 'data')).toBe('{"b":2}');
      expect(memberText('{"x":"\\"data\\":1","data":[1,{"}":"]"}]}', 'data')).toBe('[1,{"}":"]"}]');
    });

    it('is undefined without the member or for a non-object', () => {
      expect(memberText('{"type":"x"}', 'data')).toBeUndefined();
      expect(memberText('[1]', 'data')).toBeUndefined();
    });

    it('finds exactly the value JSON.parse sees, whatever the spacing (property)', () => {
      fc.assert(
        fc.property(
          fc.dictionary(fc.string(), fc.jsonValue()),
          fc.jsonValue(),
          fc.constantFrom(undefined, 0, 2, '\t'),
          (other, data, indent) => {
            const text = JSON.stringify({ ...other, data }, null, indent);
            const found = memberText(text, 'data');
            expect(JSON.parse(found!)).toEqual(JSON.parse(text).data);
          },
        ),
        { numRuns: 500 },
      );
    });
  });

  describe('minify', () => {
    it('drops whitespace between tokens only', () => {
      expect(minify('{ "a b" : [ 1 , 2e5 ] ,\n "c":"\\" x " }')).toBe('{"a b":[1,2e5],"c":"\\" x "}');
    });

    it('parses to the same value (property)', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          const text = JSON.stringify(value, null, 2);
          expect(JSON.parse(minify(text))).toEqual(JSON.parse(text));
          expect(minify(text)).toBe(JSON.stringify(value));
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('stringifyWithRaw', () => {
    it('splices raw text for marked members and leaves look-alike strings alone', () => {
      const marker = {};
      const text = stringifyWithRaw(
        { note: 'herald-raw-x-0', data: marker, list: [marker] },
        new Map([[marker, '{"n":1234567890123456789}']]),
      );
      expect(text).toBe(
        '{"note":"herald-raw-x-0","data":{"n":1234567890123456789},"list":[{"n":1234567890123456789}]}',
      );
    });
  });
});
