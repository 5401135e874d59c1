import * as crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Spy on timingSafeEqual to prove the comparison is constant-time (ESM namespaces cannot be spied on).
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const { generateApiKey, hashApiKey, hashesEqual, parseApiKeyId } = await import(
  '../../../lambdas/shared/apikeys.js'
);

const KEY_FORMAT = /^hrld_[0-9a-z]{16}_[A-Za-z0-9_-]{43}$/;

describe('apikeys', () => {
  afterEach(() => {
    vi.mocked(crypto.timingSafeEqual).mockClear();
  });

  describe('generateApiKey', () => {
    it('has the documented format, id and hash', () => {
      const { id, key, hash } = generateApiKey();
      expect(key).toMatch(KEY_FORMAT);
      expect(id).toBe(`key_${key.slice(5, 21)}`);
      expect(hash).toBe(crypto.createHash('sha256').update(key).digest('hex'));
      expect(hash).not.toContain(key.slice(22));
    });

    it('is different every time', () => {
      const keys = new Set(Array.from({ length: 50 }, () => generateApiKey().key));
      const ids = new Set(Array.from({ length: 50 }, () => generateApiKey().id));
      expect(keys.size).toBe(50);
      expect(ids.size).toBe(50);
    });
  });

  describe('parseApiKeyId', () => {
    it('returns the id of a generated key', () => {
      const { id, key } = generateApiKey();
      expect(parseApiKeyId(key)).toBe(id);
    });

    const good = `hrld_0123456789abcdef_${'A'.repeat(43)}`;
    it.each([
      ['empty', ''],
      ['only the prefix', 'hrld_'],
      ['wrong prefix', good.replace('hrld_', 'hrl_')],
      ['upper-case id', good.replace('0123456789abcdef', '0123456789ABCDEF')],
      ['short id', good.replace('0123456789abcdef', '0123456789abcde')],
      ['short secret', good.slice(0, -1)],
      ['long secret', `${good}A`],
      ['bad secret character', `${good.slice(0, -1)}=`],
      ['bearer prefix left in', `Bearer ${good}`],
      ['trailing newline', `${good}\n`],
    ])('returns undefined for a key that is malformed (%s)', (_name, key) => {
      expect(parseApiKeyId(key)).toBeUndefined();
    });

    it('accepts the well-formed example', () => {
      expect(parseApiKeyId(good)).toBe('key_0123456789abcdef');
    });
  });

  describe('hashApiKey / hashesEqual', () => {
    it('hashes as hex SHA-256', () => {
      expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    });

    it('compares equal and unequal hashes', () => {
      const a = hashApiKey('one');
      expect(hashesEqual(a, hashApiKey('one'))).toBe(true);
      expect(hashesEqual(a, hashApiKey('two'))).toBe(false);
      expect(hashesEqual(a, a.slice(0, -1))).toBe(false);
      expect(hashesEqual('', a)).toBe(false);
    });

    it('uses crypto.timingSafeEqual for same-length hashes', () => {
      hashesEqual(hashApiKey('one'), hashApiKey('two'));
      expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(1);
    });
  });
});
