import { createPublicKey, verify } from 'node:crypto';
import fc from 'fast-check';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { isSignatureScheme, usesEd25519, usesHmac } from '../../../lambdas/shared/model.js';
import {
  generateWebhookSecret,
  verifyWebhook,
  verifyWebhookV1a,
  webhookHeaders,
} from '../../../lambdas/webhooks/signing.js';
import {
  generateSigningKeyPair,
  kidOf,
  matchesV1a,
  publicJwk,
  publicKeyOfJwk,
  signingKeyPairOf,
  signPayloadV1a,
} from '../../../lambdas/webhooks/signing-v1a.js';

/** RFC 8032 §7.1 TEST 1: the secret key (seed) and its public key. */
const RFC_SEED = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
const RFC_PUBLIC = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');
/** RFC 8037 Appendix A.3: the JWK thumbprint of that public key. */
const RFC_THUMBPRINT = 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k';
const RFC_WHSK = `whsk_${RFC_SEED.toString('base64')}`;
const RFC_WHPK = `whpk_${RFC_PUBLIC.toString('base64')}`;

const NOW = 1_700_000_000;
const BODY = '{"id":"evt_1","type":"order.placed","data":{"total":42}}';

/**
 * The spec's header grammar ("Webhook headers"): a space-delimited list of `<version>,<base64>`; a
 * v1a entry's base64 is standard (not url-safe), padded, of a 64-byte ed25519 signature.
 */
const V1A_ENTRY = /^v1a,[A-Za-z0-9+/]{86}==$/;

/** Verifies with node:crypto directly against the raw 32 public-key bytes, not through the module. */
function verifiesRaw(rawPublic: Buffer, content: string, entry: string): boolean {
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), rawPublic]);
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  return verify(null, Buffer.from(content, 'utf8'), key, Buffer.from(entry.slice('v1a,'.length), 'base64'));
}

describe('signing-v1a', () => {
  describe('key formats', () => {
    it('reads an RFC 8032 seed as whsk_ and derives the RFC public key as whpk_', () => {
      const pair = signingKeyPairOf(RFC_WHSK);
      expect(pair.publicKey).toBe(RFC_WHPK);
      expect(pair.secretKey).toBe(RFC_WHSK);
    });

    it('names a key by its RFC 7638 thumbprint (RFC 8037 A.3)', () => {
      expect(signingKeyPairOf(RFC_WHSK).kid).toBe(RFC_THUMBPRINT);
      expect(kidOf(RFC_WHPK)).toBe(RFC_THUMBPRINT);
    });

    it('reads the 64-byte seed‖public form (Svix) and rejects one whose halves do not match', () => {
      const svixForm = `whsk_${Buffer.concat([RFC_SEED, RFC_PUBLIC]).toString('base64')}`;
      expect(signPayloadV1a(svixForm, 'm', NOW, BODY)).toBe(signPayloadV1a(RFC_WHSK, 'm', NOW, BODY));
      const mismatched = `whsk_${Buffer.concat([RFC_SEED, Buffer.alloc(32, 1)]).toString('base64')}`;
      expect(() => signPayloadV1a(mismatched, 'm', NOW, BODY)).toThrow(/does not belong/);
    });

    it.each([
      ['no prefix', RFC_SEED.toString('base64')],
      ['the HMAC prefix', `whsec_${RFC_SEED.toString('base64')}`],
      ['the public prefix', RFC_WHPK],
      ['not base64', 'whsk_!!!!'],
      ['31 bytes', `whsk_${RFC_SEED.subarray(1).toString('base64')}`],
    ])('refuses a secret key with %s', (_name, key) => {
      expect(() => signPayloadV1a(key, 'm', NOW, BODY)).toThrow(TypeError);
    });

    it('generates whsk_/whpk_ pairs of 32 bytes each, different each time', () => {
      const a = generateSigningKeyPair();
      expect(a.secretKey).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
      expect(a.publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
      expect(signingKeyPairOf(a.secretKey)).toEqual(a);
      expect(generateSigningKeyPair().secretKey).not.toBe(a.secretKey);
    });

    it('publishes a key as an OKP/Ed25519 JWK and reads it back', () => {
      const jwk = publicJwk(RFC_WHPK);
      expect(jwk).toEqual({
        kty: 'OKP',
        crv: 'Ed25519',
        x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', // RFC 8037 A.2
        kid: RFC_THUMBPRINT,
        use: 'sig',
        alg: 'EdDSA',
      });
      expect(publicKeyOfJwk(jwk)).toBe(RFC_WHPK);
      expect(() => publicKeyOfJwk({ kty: 'EC', crv: 'P-256', x: jwk.x })).toThrow(TypeError);
    });
  });

  describe('signPayloadV1a', () => {
    it('is one spec v1a entry whose signature verifies over "id.timestamp.body"', () => {
      const entry = signPayloadV1a(RFC_WHSK, 'msg_1', NOW, BODY);
      expect(entry).toMatch(V1A_ENTRY);
      expect(verifiesRaw(RFC_PUBLIC, `msg_1.${NOW}.${BODY}`, entry)).toBe(true);
      expect(verifiesRaw(RFC_PUBLIC, `msg_1.${NOW + 1}.${BODY}`, entry)).toBe(false);
    });

    it('is deterministic (RFC 8032), so a vector file can hold the expected signature', () => {
      expect(signPayloadV1a(RFC_WHSK, 'msg_1', NOW, BODY)).toBe(signPayloadV1a(RFC_WHSK, 'msg_1', NOW, BODY));
    });

    it('signs the body as UTF-8 bytes', () => {
      const body = '{"name":"Zoë 🦊 日本"}';
      const entry = signPayloadV1a(RFC_WHSK, 'msg_u', NOW, body);
      expect(verifiesRaw(RFC_PUBLIC, `msg_u.${NOW}.${body}`, entry)).toBe(true);
    });

    it('signs any id, timestamp and body so the raw key verifies it (property)', () => {
      fc.assert(
        fc.property(
          fc.stringMatching(/^[A-Za-z0-9_]{1,40}$/),
          fc.integer({ min: 0, max: 2 ** 40 }),
          fc.string({ unit: 'grapheme', maxLength: 200 }),
          (id, ts, body) => {
            const entry = signPayloadV1a(RFC_WHSK, id, ts, body);
            return V1A_ENTRY.test(entry) && verifiesRaw(RFC_PUBLIC, `${id}.${ts}.${body}`, entry);
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  describe('matchesV1a', () => {
    const other = generateSigningKeyPair();
    const entry = signPayloadV1a(RFC_WHSK, 'msg_1', NOW, BODY);

    it('finds the v1a entry among v1 and unknown ones, in any position', () => {
      const header = `v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= v2,abc ${entry}`;
      expect(matchesV1a([RFC_WHPK], header, 'msg_1', NOW, BODY)).toBe(true);
      expect(matchesV1a([other.publicKey, RFC_WHPK], `${entry} v1,xyz`, 'msg_1', NOW, BODY)).toBe(true);
    });

    it('accepts either of two v1a signatures (rotation overlap)', () => {
      const both = `${signPayloadV1a(other.secretKey, 'msg_1', NOW, BODY)} ${entry}`;
      expect(matchesV1a([RFC_WHPK], both, 'msg_1', NOW, BODY)).toBe(true);
      expect(matchesV1a([other.publicKey], both, 'msg_1', NOW, BODY)).toBe(true);
    });

    it.each([
      ['another key', () => matchesV1a([other.publicKey], entry, 'msg_1', NOW, BODY)],
      ['another id', () => matchesV1a([RFC_WHPK], entry, 'msg_2', NOW, BODY)],
      ['another timestamp', () => matchesV1a([RFC_WHPK], entry, 'msg_1', NOW + 1, BODY)],
      ['a tampered body', () => matchesV1a([RFC_WHPK], entry, 'msg_1', NOW, BODY.replace('42', '43'))],
      ['only a v1 entry', () => matchesV1a([RFC_WHPK], `v1,${entry.slice(4)}`, 'msg_1', NOW, BODY)],
      [
        'url-safe base64',
        () => matchesV1a([RFC_WHPK], entry.replace(/\+/g, '-').replace(/\//g, '_'), 'msg_1', NOW, BODY),
      ],
      ['a truncated signature', () => matchesV1a([RFC_WHPK], entry.slice(0, -4), 'msg_1', NOW, BODY)],
      ['no keys', () => matchesV1a([], entry, 'msg_1', NOW, BODY)],
    ])('does not match with %s', (_name, check) => {
      expect(check()).toBe(false);
    });
  });

  describe('webhookHeaders with v1a keys', () => {
    const secret = generateWebhookSecret();
    const other = generateSigningKeyPair();
    const now = Math.floor(Date.now() / 1000);
    const both = webhookHeaders({
      msgId: 'msg_b',
      timestampSeconds: now,
      body: BODY,
      secrets: [secret],
      signingKeys: [RFC_WHSK, other.secretKey],
    });

    it('puts v1 first, then one v1a entry per key, space-separated, each per the grammar', () => {
      const entries = both['webhook-signature'].split(' ');
      expect(entries).toHaveLength(3);
      expect(entries[0]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
      expect(entries.slice(1).every((e) => V1A_ENTRY.test(e))).toBe(true);
    });

    it('standardwebhooks and svix still verify the v1 entry beside the v1a ones', () => {
      expect(new StandardWebhook(secret).verify(BODY, both)).toEqual(JSON.parse(BODY));
      expect(() => new SvixWebhook(secret).verify(BODY, both)).not.toThrow();
      expect(() => new SvixWebhook(generateWebhookSecret()).verify(BODY, both)).toThrow();
      expect(() => verifyWebhook(secret, both, BODY)).not.toThrow();
    });

    it('verifyWebhookV1a accepts either key and refuses a third, a stale timestamp and v1 alone', () => {
      expect(() => verifyWebhookV1a([RFC_WHPK], both, BODY)).not.toThrow();
      expect(() => verifyWebhookV1a([other.publicKey], both, BODY)).not.toThrow();
      expect(() => verifyWebhookV1a([generateSigningKeyPair().publicKey], both, BODY)).toThrow(
        expect.objectContaining({ code: 'invalid_signature', status: 401 }),
      );
      expect(() => verifyWebhookV1a([RFC_WHPK], both, BODY, { nowSeconds: now + 301 })).toThrow(/too old/);
      const v1Only = webhookHeaders({ msgId: 'msg_b', timestampSeconds: now, body: BODY, secrets: [secret] });
      expect(() => verifyWebhookV1a([RFC_WHPK], v1Only, BODY)).toThrow(/No matching v1a/);
    });

    it('v1a alone: no v1 entry, so the HMAC libraries refuse it', () => {
      const alone = webhookHeaders({
        msgId: 'msg_a',
        timestampSeconds: now,
        body: BODY,
        secrets: [],
        signingKeys: [RFC_WHSK],
      });
      expect(alone['webhook-signature']).toMatch(V1A_ENTRY);
      expect(() => new StandardWebhook(secret).verify(BODY, alone)).toThrow();
      expect(() =>
        webhookHeaders({ msgId: 'm', timestampSeconds: now, body: BODY, secrets: [], signingKeys: [] }),
      ).toThrow(TypeError);
    });
  });

  describe('schemes', () => {
    it.each([
      ['v1', true, false],
      ['v1a', false, true],
      ['v1,v1a', true, true],
    ] as const)('%s: HMAC %s, ed25519 %s', (scheme, hmac, ed25519) => {
      expect(isSignatureScheme(scheme)).toBe(true);
      expect(usesHmac(scheme)).toBe(hmac);
      expect(usesEd25519(scheme)).toBe(ed25519);
    });

    it.each(['v1a,v1', 'v2', 'V1A', '', 'v1, v1a', 1, null])('%j is not a scheme', (value) => {
      expect(isSignatureScheme(value)).toBe(false);
    });
  });
});
