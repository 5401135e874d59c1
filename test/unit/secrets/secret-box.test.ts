import { createDecipheriv, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { open, SecretBoxError, seal } from '../../../lambdas/secrets/secret-box.js';

const key = randomBytes(32);
const secret = `whsec_${randomBytes(24).toString('base64')}`;
const binding = 'herald:endpoint-secret:ep_1';

describe('secret-box', () => {
  it('seals to a versioned form with no plaintext in it and opens again', () => {
    const sealed = seal(key, secret, binding);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('whsec_');
    expect(open(key, sealed, binding)).toBe(secret);
  });

  it('is AES-256-GCM: an independent decipher with the same key, IV and AAD opens it', () => {
    const [, ivText, bodyText] = seal(key, secret, binding).split('.') as [string, string, string];
    const body = Buffer.from(bodyText, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
    decipher.setAAD(Buffer.from(binding));
    decipher.setAuthTag(body.subarray(body.length - 16));
    expect(
      Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString(),
    ).toBe(secret);
  });

  it('uses a fresh IV each time', () => {
    expect(seal(key, secret, binding)).not.toBe(seal(key, secret, binding));
  });

  it.each([
    ['another key', () => open(randomBytes(32), seal(key, secret, binding), binding)],
    [
      'another endpoint (binding)',
      () => open(key, seal(key, secret, binding), 'herald:endpoint-secret:ep_2'),
    ],
    [
      'a flipped ciphertext bit',
      () => {
        const [v, iv, body] = seal(key, secret, binding).split('.') as [string, string, string];
        const bytes = Buffer.from(body, 'base64url');
        bytes[0] = (bytes[0] ?? 0) ^ 1;
        return open(key, `${v}.${iv}.${bytes.toString('base64url')}`, binding);
      },
    ],
    ['a truncated form', () => open(key, 'v1.AAAA.AAAA', binding)],
    ['an unknown version', () => open(key, seal(key, secret, binding).replace(/^v1/, 'v9'), binding)],
    ['a short key', () => seal(randomBytes(16), secret, binding)],
  ])('refuses %s with SecretBoxError', (_name, act) => {
    expect(act).toThrow(SecretBoxError);
  });

  it('property: opens whatever it sealed, for any text and binding', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (text, aad) => {
        expect(open(key, seal(key, text, aad), aad)).toBe(text);
      }),
    );
  });
});
