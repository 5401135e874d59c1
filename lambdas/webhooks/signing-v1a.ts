/**
 * Standard Webhooks asymmetric signatures (spec "Signature scheme"): ed25519 (RFC 8032, pure) over
 * `<webhook-id>.<webhook-timestamp>.<body>`, sent as `v1a,<base64 of the 64-byte signature>`. Keys are
 * serialized as the spec asks: `whsk_<base64>` (the secret key, never leaves Herald) and
 * `whpk_<base64 of the 32-byte public key>`. The spec names "a standard ed25519 key pair" without a
 * byte layout; Herald writes the 32-byte RFC 8032 seed (as the Go and Python reference pull requests
 * do) and also reads Svix's 64-byte seed‖public form. Every operation is node:crypto's ed25519.
 * Pure: no I/O. adrs/0009-v1a-signing-keys-outside-kms.md says why the keys are not held in KMS.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';

const SECRET_KEY_PREFIX = 'whsk_';
const PUBLIC_KEY_PREFIX = 'whpk_';
const SIGNATURE_VERSION = 'v1a';
const SEED_BYTES = 32;
const PUBLIC_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
/** DER prefixes that wrap a raw RFC 8032 key as PKCS#8 (private) and SPKI (public), RFC 8410. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Parsed keys kept per container: parsing costs more than signing a small body (docs/benchmarks.md). */
const MAX_PARSED_KEYS = 256;

/** A v1a key pair as Herald keeps it: the secret key is sealed at rest (store/endpoints.ts). */
interface SigningKeyPair {
  /** `whsk_...`: signs; never answered by any route. */
  readonly secretKey: string;
  /** `whpk_...`: what receivers verify with. */
  readonly publicKey: string;
  /** RFC 7638 JWK thumbprint of the public key: the key's `kid` in the key set document. */
  readonly kid: string;
}

/** One entry of a JSON Web Key Set (RFC 7517, RFC 8037 for OKP / Ed25519). */
interface PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly use: 'sig';
  readonly alg: 'EdDSA';
}

function decodePrefixed(value: string, prefix: string, what: string): Buffer {
  if (!value.startsWith(prefix)) throw new TypeError(`A v1a ${what} must start with ${prefix}`);
  const encoded = value.slice(prefix.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new TypeError(`A v1a ${what} must be base64`);
  return Buffer.from(encoded, 'base64');
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new TypeError('Not an ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

const parsedSecretKeys = new Map<string, KeyObject>();
const parsedPublicKeys = new Map<string, KeyObject>();

function remember(cache: Map<string, KeyObject>, text: string, key: KeyObject): KeyObject {
  if (cache.size >= MAX_PARSED_KEYS) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(text, key);
  return key;
}

/** The node:crypto private key of a `whsk_` key: 32-byte seed, or Svix's 64-byte seed‖public key. */
function privateKeyOf(secretKey: string): KeyObject {
  const cached = parsedSecretKeys.get(secretKey);
  if (cached !== undefined) return cached;
  const raw = decodePrefixed(secretKey, SECRET_KEY_PREFIX, 'secret key');
  if (raw.length !== SEED_BYTES && raw.length !== SEED_BYTES + PUBLIC_KEY_BYTES) {
    throw new TypeError(`A whsk_ key is ${SEED_BYTES} (or ${SEED_BYTES + PUBLIC_KEY_BYTES}) bytes`);
  }
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, raw.subarray(0, SEED_BYTES)]),
    format: 'der',
    type: 'pkcs8',
  });
  if (raw.length > SEED_BYTES && !rawPublicKey(key).equals(raw.subarray(SEED_BYTES))) {
    throw new TypeError('The public half of this whsk_ key does not belong to its seed');
  }
  return remember(parsedSecretKeys, secretKey, key);
}

function publicKeyObjectOf(publicKey: string): KeyObject {
  const cached = parsedPublicKeys.get(publicKey);
  if (cached !== undefined) return cached;
  const raw = decodePrefixed(publicKey, PUBLIC_KEY_PREFIX, 'public key');
  if (raw.length !== PUBLIC_KEY_BYTES) throw new TypeError(`A whpk_ key is ${PUBLIC_KEY_BYTES} bytes`);
  const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  return remember(parsedPublicKeys, publicKey, key);
}

/** RFC 7638: base64url SHA-256 of the required members in lexicographic order, no whitespace. */
function thumbprint(x: string): string {
  return createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest('base64url');
}

function keyPairOf(privateKey: KeyObject): SigningKeyPair {
  const jwk = privateKey.export({ format: 'jwk' });
  if (typeof jwk.d !== 'string' || typeof jwk.x !== 'string') throw new TypeError('Not an ed25519 key');
  return {
    secretKey: SECRET_KEY_PREFIX + Buffer.from(jwk.d, 'base64url').toString('base64'),
    publicKey: PUBLIC_KEY_PREFIX + Buffer.from(jwk.x, 'base64url').toString('base64'),
    kid: thumbprint(jwk.x),
  };
}

function generateSigningKeyPair(): SigningKeyPair {
  return keyPairOf(generateKeyPairSync('ed25519').privateKey);
}

/** The whole pair of a `whsk_` key (test vectors, and checking what the store opened). */
function signingKeyPairOf(secretKey: string): SigningKeyPair {
  return keyPairOf(privateKeyOf(secretKey));
}

/** The `kid` of a `whpk_` key. */
function kidOf(publicKey: string): string {
  return thumbprint(rawPublicKey(publicKeyObjectOf(publicKey)).toString('base64url'));
}

function publicJwk(publicKey: string): PublicJwk {
  const x = rawPublicKey(publicKeyObjectOf(publicKey)).toString('base64url');
  return { kty: 'OKP', crv: 'Ed25519', x, kid: thumbprint(x), use: 'sig', alg: 'EdDSA' };
}

/** The `whpk_` form of a key set entry (receivers that fetched the JWKS). */
function publicKeyOfJwk(jwk: {
  readonly kty?: unknown;
  readonly crv?: unknown;
  readonly x?: unknown;
}): string {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new TypeError('Not an Ed25519 JWK');
  }
  return PUBLIC_KEY_PREFIX + Buffer.from(jwk.x, 'base64url').toString('base64');
}

function signedContent(msgId: string, timestampSeconds: number, body: string): Buffer {
  return Buffer.from(`${msgId}.${timestampSeconds}.${body}`, 'utf8');
}

/** `v1a,<base64 ed25519 signature of "msgId.timestamp.body">`. */
function signPayloadV1a(secretKey: string, msgId: string, timestampSeconds: number, body: string): string {
  const signature = sign(null, signedContent(msgId, timestampSeconds, body), privateKeyOf(secretKey));
  return `${SIGNATURE_VERSION},${signature.toString('base64')}`;
}

/**
 * True when one `v1a` entry of a `webhook-signature` value verifies under one of `publicKeys`. Other
 * versions (`v1`, unknown ones) are ignored, as the spec asks; a malformed entry is no match.
 */
function matchesV1a(
  publicKeys: readonly string[],
  signatureHeader: string,
  msgId: string,
  timestampSeconds: number,
  body: string,
): boolean {
  const content = signedContent(msgId, timestampSeconds, body);
  const keys = publicKeys.map(publicKeyObjectOf);
  for (const entry of signatureHeader.split(' ')) {
    if (!entry.startsWith(`${SIGNATURE_VERSION},`)) continue;
    const encoded = entry.slice(SIGNATURE_VERSION.length + 1);
    if (!/^[A-Za-z0-9+/]{86}==$/.test(encoded)) continue;
    const signature = Buffer.from(encoded, 'base64');
    if (signature.length !== SIGNATURE_BYTES) continue;
    if (keys.some((key) => verify(null, content, key, signature))) return true;
  }
  return false;
}

export type { PublicJwk, SigningKeyPair };
export {
  generateSigningKeyPair,
  kidOf,
  matchesV1a,
  publicJwk,
  publicKeyOfJwk,
  signingKeyPairOf,
  signPayloadV1a,
};
