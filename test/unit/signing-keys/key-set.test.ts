import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rotateCredentials } from '../../../lambdas/secrets/rotation.js';
import type { SignatureScheme } from '../../../lambdas/shared/model.js';
import {
  type EndpointKeys,
  keySet,
  keysForScheme,
  keysInUse,
  type PublishedKey,
} from '../../../lambdas/signing-keys/key-set.js';
import { generateSigningKeyPair } from '../../../lambdas/webhooks/signing-v1a.js';

const NOW = 1_700_000_000;

function key(createdAt: string, expiresAt?: number): PublishedKey {
  const pair = generateSigningKeyPair();
  return {
    kid: pair.kid,
    publicKey: pair.publicKey,
    createdAt,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  };
}

const OLD = key('2026-01-01T00:00:00.000Z', NOW + 60);
const NEW = key('2026-02-01T00:00:00.000Z');
const EXPIRED = key('2025-12-01T00:00:00.000Z', NOW);

describe('key-set', () => {
  describe('keysInUse', () => {
    it.each([
      [undefined, []],
      ['v1', []],
      ['v1a', [NEW, OLD]],
      ['v1,v1a', [NEW, OLD]],
    ] as const)('scheme %s → %j keys', (scheme, expected) => {
      const endpoint = { ...(scheme ? { signatureScheme: scheme } : {}), publicKeys: [OLD, EXPIRED, NEW] };
      expect(keysInUse(endpoint, NOW)).toEqual(expected);
    });

    it('drops a key at its expiresAt, not a second before', () => {
      const endpoint = { signatureScheme: 'v1a' as const, publicKeys: [OLD] };
      expect(keysInUse(endpoint, NOW + 59)).toEqual([OLD]);
      expect(keysInUse(endpoint, NOW + 60)).toEqual([]);
    });
  });

  describe('keySet', () => {
    it('lists the keys in use as Ed25519 JWKs with their kid, newest first', () => {
      const set = keySet(
        [
          { signatureScheme: 'v1a', publicKeys: [OLD, NEW] },
          { signatureScheme: 'v1', publicKeys: [key('2026-03-01T00:00:00.000Z')] },
          { signatureScheme: 'v1,v1a', publicKeys: [EXPIRED] },
        ],
        NOW,
      );
      expect(set.keys.map((k) => k.kid)).toEqual([NEW.kid, OLD.kid]);
      expect(set.keys.every((k) => k.kty === 'OKP' && k.crv === 'Ed25519' && k.x.length === 43)).toBe(true);
    });

    it('lists exactly the union of what every endpoint signs with (property)', () => {
      const pool = [OLD, NEW, EXPIRED, key('2026-01-15T00:00:00.000Z', NOW + 1)];
      const endpoint = fc.record({
        signatureScheme: fc.constantFrom<SignatureScheme>('v1', 'v1a', 'v1,v1a'),
        publicKeys: fc.subarray(pool),
      });
      fc.assert(
        fc.property(
          fc.array(endpoint, { maxLength: 5 }),
          fc.integer({ min: NOW - 10, max: NOW + 100 }),
          (eps, now) => {
            const listed = new Set(keySet(eps as EndpointKeys[], now).keys.map((k) => k.kid));
            const signing = new Set(eps.flatMap((e) => keysInUse(e, now)).map((k) => k.kid));
            return listed.size === signing.size && [...signing].every((kid) => listed.has(kid));
          },
        ),
      );
    });
  });

  describe('keysForScheme', () => {
    const fresh = key('2026-04-01T00:00:00.000Z');
    it.each([
      ['v1 keeps whatever there is', 'v1', [OLD], undefined],
      ['v1a with an active key keeps it', 'v1a', [OLD, EXPIRED], undefined],
      ['v1a with only expired keys gets a fresh one alone', 'v1a', [EXPIRED], [fresh]],
      ['v1,v1a with none gets a fresh one', 'v1,v1a', [], [fresh]],
    ] as const)('%s', (_name, scheme, keys, expected) => {
      expect(keysForScheme(scheme, keys, NOW, () => fresh)).toEqual(expected);
    });
  });

  describe('rotation of key pairs (rotateCredentials) as the key set sees it', () => {
    const now = new Date(NOW * 1000);
    const first = key('2023-01-01T00:00:00.000Z');
    const second = key(now.toISOString());
    const third = key(new Date(now.getTime() + 1000).toISOString());
    const rules = { graceSeconds: 3600 };

    it('lists both keys during the grace period, then only the new one', () => {
      const rotated = rotateCredentials([first], second, rules, now);
      if (rotated.kind !== 'rotated') throw new Error('refused');
      const endpoint = { signatureScheme: 'v1a' as const, publicKeys: rotated.credentials };
      expect(keySet([endpoint], NOW).keys.map((k) => k.kid)).toEqual([second.kid, first.kid]);
      expect(keySet([endpoint], NOW + 3600).keys.map((k) => k.kid)).toEqual([second.kid]);
    });

    it('refuses a third active key, and expireCurrentNow lists only the newest at once', () => {
      const rotated = rotateCredentials([first], second, rules, now);
      if (rotated.kind !== 'rotated') throw new Error('refused');
      expect(rotateCredentials(rotated.credentials, third, rules, now)).toMatchObject({
        kind: 'limit_exceeded',
        limit: 2,
        active: 2,
      });
      const leaked = rotateCredentials(rotated.credentials, third, { ...rules, expireCurrentNow: true }, now);
      if (leaked.kind !== 'rotated') throw new Error('refused');
      expect(leaked.previousExpiresAt).toBe(NOW);
      const endpoint = { signatureScheme: 'v1a' as const, publicKeys: leaked.credentials };
      expect(keySet([endpoint], NOW).keys.map((k) => k.kid)).toEqual([third.kid]);
    });
  });
});
