/**
 * Verify a Herald webhook signed with Standard Webhooks v1a (ed25519), with node:crypto only.
 * The receiver holds public keys only: the endpoint's `publicKey` (whpk_...) or the tenant's key set,
 * GET /v1/tenants/{tenantId}/jwks.json. Pass the raw request body, before any JSON parsing.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';

const TOLERANCE_SECONDS = 300;
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

class WebhookVerificationError extends Error {}

function publicKeyFromWhpk(whpk: string): KeyObject {
  if (!whpk.startsWith('whpk_')) throw new TypeError('a v1a public key starts with whpk_');
  const raw = Buffer.from(whpk.slice('whpk_'.length), 'base64');
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The keys of a JWKS document (`{ "keys": [{ "kty": "OKP", "crv": "Ed25519", "x", "kid" }] }`). */
async function publicKeysFromJwks(url: string): Promise<KeyObject[]> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const { keys } = (await response.json()) as { keys: { kty: string; crv: string; x: string }[] };
  return keys
    .filter((k) => k.kty === 'OKP' && k.crv === 'Ed25519')
    .map((k) => createPublicKey({ key: { kty: k.kty, crv: k.crv, x: k.x }, format: 'jwk' }));
}

function verifyV1a(
  publicKeys: readonly KeyObject[],
  headers: Record<string, string | undefined>,
  body: Buffer | string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): void {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const msgId = lower['webhook-id'];
  const timestamp = lower['webhook-timestamp'];
  const signatures = lower['webhook-signature'];
  if (!msgId || !timestamp || !signatures) {
    throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature');
  }
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError('invalid webhook-timestamp');
  if (Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) {
    throw new WebhookVerificationError('webhook-timestamp outside the tolerance window');
  }
  const content = Buffer.concat([Buffer.from(`${msgId}.${timestamp}.`, 'utf8'), Buffer.from(body)]);
  for (const entry of signatures.split(' ')) {
    const [version, encoded] = entry.split(',', 2);
    // v1 (HMAC) and unknown versions are not ours to check; the spec's base64 is standard, padded.
    if (version !== 'v1a' || encoded === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) continue;
    const signature = Buffer.from(encoded, 'base64');
    if (publicKeys.some((key) => verify(null, content, key, signature))) return;
  }
  throw new WebhookVerificationError('no v1a signature verifies under the given public keys');
}

export { publicKeyFromWhpk, publicKeysFromJwks, verifyV1a, WebhookVerificationError };
