/**
 * API keys: `hrld_<16 chars [0-9a-z]>_<43 chars base64url>` (docs/internals.md). The middle part is
 * the public key id (`key_<16>`), so the authorizer reads one item by id and compares SHA-256 hashes
 * in constant time; the 43-char tail is 32 random bytes and is never stored, only its hash.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 16;
const SECRET_BYTES = 32;
const API_KEY_PATTERN = /^hrld_([0-9a-z]{16})_[A-Za-z0-9_-]{43}$/;

interface GeneratedApiKey {
  /** `key_<16>`: public, stored and listed. */
  readonly id: string;
  /** The whole key: shown once, never stored. */
  readonly key: string;
  /** Hex SHA-256 of the whole key: what is stored. */
  readonly hash: string;
}

function randomIdPart(): string {
  let out = '';
  for (let i = 0; i < ID_LENGTH; i++) out += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return out;
}

function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function generateApiKey(): GeneratedApiKey {
  const idPart = randomIdPart();
  const key = `hrld_${idPart}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { id: `key_${idPart}`, key, hash: hashApiKey(key) };
}

/** The key id (`key_<16>`) of a well-formed key; undefined for anything malformed. */
function parseApiKeyId(key: string): string | undefined {
  const match = API_KEY_PATTERN.exec(key);
  return match === null ? undefined : `key_${match[1]}`;
}

/** Constant-time comparison of two hex hashes; different lengths are unequal (length is not secret). */
function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

export type { GeneratedApiKey };
export { generateApiKey, hashApiKey, hashesEqual, parseApiKeyId };
