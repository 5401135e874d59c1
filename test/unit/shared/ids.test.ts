import { describe, expect, it } from 'vitest';
import { newId, ulid, ulidTime } from '../../../lambdas/shared/ids.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('ids', () => {
  describe('ulid', () => {
    it('is 26 Crockford base32 characters', () => {
      for (let i = 0; i < 100; i++) expect(ulid()).toMatch(ULID);
    });

    it('encodes the time in the first 10 characters', () => {
      expect(ulid(0).slice(0, 10)).toBe('0000000000');
      // The example from the ULID spec: 1469918176385 → 01ARYZ6S41.
      expect(ulid(1_469_918_176_385).slice(0, 10)).toBe('01ARYZ6S41');
      expect(ulidTime(ulid(1_700_000_000_123))).toBe(1_700_000_000_123);
    });

    it('sorts by time as a string', () => {
      const times = [1, 31, 32, 1_000, 1_700_000_000_000, 1_700_000_000_001, 2 ** 48 - 1];
      const ids = times.map((t) => ulid(t));
      expect([...ids].sort()).toEqual(ids);
    });

    it('is unique for the same millisecond', () => {
      const ids = new Set(Array.from({ length: 1000 }, () => ulid(1_700_000_000_000)));
      expect(ids.size).toBe(1000);
    });

    it.each([-1, 1.5, 2 ** 48, Number.NaN])('rejects time %d', (time) => {
      expect(() => ulid(time)).toThrow(RangeError);
    });
  });

  describe('newId', () => {
    it.each(['evt', 'ep', 'key', 'rpl'] as const)('prefixes %s_', (prefix) => {
      const id = newId(prefix);
      expect(id.startsWith(`${prefix}_`)).toBe(true);
      expect(id.slice(prefix.length + 1)).toMatch(ULID);
    });
  });

  describe('ulidTime', () => {
    it('returns undefined for something that is not a ULID', () => {
      expect(ulidTime('evt_01ARYZ6S41')).toBeUndefined();
      expect(ulidTime('01ARYZ6S41IIIIIIIIIIIIIIII')).toBeUndefined();
      expect(ulidTime('ZZZZZZZZZZ0000000000000000')).toBeUndefined();
    });
  });
});
