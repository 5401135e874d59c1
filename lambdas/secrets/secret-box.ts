/**
 * Authenticated encryption of one small secret under a 256-bit data key: AES-256-GCM from node:crypto,
 * a random 96-bit IV per seal, and associated data that binds the ciphertext to where it belongs (an
 * endpoint's id), so a sealed secret copied onto another item does not open. Pure: no KMS, no I/O —
 * the data key comes from lambdas/secrets/data-keys.ts.
 *
 * Sealed form: `v1.<iv base64url>.<ciphertext‖tag base64url>`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed secret that does not open: wrong key, wrong associated data, or tampered. Never retryable. */
class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
  readonly retryable = false;
}

function checkKey(key: Uint8Array): void {
  if (key.length !== KEY_BYTES)
    throw new SecretBoxError(`A data key must be ${KEY_BYTES} bytes, got ${key.length}`);
}

/** Encrypts `plaintext` under `key`, bound to `associatedData`. */
function seal(key: Uint8Array, plaintext: string, associatedData: string): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

/** Decrypts what `seal` made with the same key and associated data; throws SecretBoxError otherwise. */
function open(key: Uint8Array, sealed: string, associatedData: string): string {
  checkKey(key);
  const [version, ivText, bodyText, ...rest] = sealed.split('.');
  if (version !== VERSION || ivText === undefined || bodyText === undefined || rest.length > 0) {
    throw new SecretBoxError('Not a sealed secret of a known version');
  }
  const iv = Buffer.from(ivText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES)
    throw new SecretBoxError('Sealed secret is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch (cause) {
    throw new SecretBoxError('Sealed secret does not open (wrong key, wrong binding or tampered)', { cause });
  }
}

export { open, SecretBoxError, seal };
