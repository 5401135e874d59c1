/**
 * Which v1a public keys are in use, as a decision of (the tenant's endpoints, now): an endpoint's keys
 * sign — and so are published — while its `signatureScheme` includes v1a and until their `expiresAt`
 * (a rotated-out key in its grace period still signs beside the new one). The dispatcher signs with
 * `keysInUse` and the key set document lists `keySet` of the same records, so a delivery never carries
 * a v1a signature whose key the document does not list. Pure; store and handler do the I/O.
 */
import { type SignatureScheme, usesEd25519 } from '../shared/model.js';
import { type PublicJwk, publicJwk } from '../webhooks/signing-v1a.js';

/** The public half of an endpoint's key, as stored in plaintext beside the sealed secret key. */
interface PublishedKey {
  readonly kid: string;
  /** `whpk_...` */
  readonly publicKey: string;
  readonly createdAt: string;
  /** Epoch seconds after which a rotated-out key stops signing. */
  readonly expiresAt?: number;
}

interface EndpointKeys {
  /** @default 'v1' (no v1a keys in use) */
  readonly signatureScheme?: SignatureScheme;
  readonly publicKeys: readonly PublishedKey[];
}

/** A JSON Web Key Set (RFC 7517 §5). */
interface KeySet {
  readonly keys: PublicJwk[];
}

function isKeyActive(key: { readonly expiresAt?: number }, nowSeconds: number): boolean {
  return key.expiresAt === undefined || key.expiresAt > nowSeconds;
}

/** The keys this endpoint's deliveries are signed with at `nowSeconds`, newest first. */
function keysInUse<K extends PublishedKey>(
  endpoint: { readonly signatureScheme?: SignatureScheme; readonly publicKeys: readonly K[] },
  nowSeconds: number,
): K[] {
  if (!usesEd25519(endpoint.signatureScheme)) return [];
  return endpoint.publicKeys
    .filter((k) => isKeyActive(k, nowSeconds))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Every key in use by any of `endpoints`, newest first, each once. */
function keySet(endpoints: readonly EndpointKeys[], nowSeconds: number): KeySet {
  const inUse = endpoints
    .flatMap((e) => keysInUse(e, nowSeconds))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.kid.localeCompare(b.kid));
  const seen = new Set<string>();
  const keys: PublicJwk[] = [];
  for (const key of inUse) {
    if (seen.has(key.kid)) continue;
    seen.add(key.kid);
    keys.push(publicJwk(key.publicKey));
  }
  return { keys };
}

/**
 * The key pairs an endpoint needs for `scheme`: with v1a and no active key, a fresh one (`generate`)
 * first and the expired ones dropped; otherwise undefined (keep them as they are — switching back to
 * v1 keeps the pair unused, and switching to v1a again signs with it).
 */
function keysForScheme<K extends PublishedKey>(
  scheme: SignatureScheme | undefined,
  keys: readonly K[],
  nowSeconds: number,
  generate: () => K,
): K[] | undefined {
  if (!usesEd25519(scheme)) return undefined;
  const active = keys.filter((k) => isKeyActive(k, nowSeconds));
  return active.length > 0 ? undefined : [generate()];
}

export type { EndpointKeys, KeySet, PublishedKey };
export { keySet, keysForScheme, keysInUse };
