/**
 * Who is calling: the verdict the HTTP API's authorizer passes to every route as its context
 * (`{ authenticated, role, tenantId, keyId, reason }`, lambdas/shared/auth.ts turns it into a principal
 * or a 401 problem). The authorizer function runs it for the management routes; ingest runs it itself
 * for the publish routes, which have no authorizer (ADR 0005, amended: one Lambda invocation fewer per
 * published request, the same verdicts and the same 401 documents).
 *
 * A verified credential (API key or portal session) is remembered per container for at most 5 s
 * (HERALD_AUTH_CACHE_SECONDS, capped), keyed by the SHA-256 of the whole credential, so a busy
 * publisher costs one key read per container every 5 s instead of one per request; items are read
 * strongly consistent, so a revoked key or session stops working within 5 s (ADR 0005). A cached
 * session never outlives its own expiry, and the Origin check runs on every request. Rejections are
 * not cached: a key minted a moment ago works at once.
 *
 * Without an Authorization header, a portal session cookie is accepted as a tenant principal
 * (lambdas/portal/tokens.ts). Its CSRF defences: the cookie is SameSite=Strict, bodies must be
 * `application/json`, and a state-changing request must carry an Origin equal to its own host.
 */
import { getPortalLink } from '../portal/link-store.js';
import { parseSessionId, sessionCookieValue, sessionDecision } from '../portal/tokens.js';
import { hashApiKey, hashesEqual, parseApiKeyId } from '../shared/apikeys.js';
import type { AuthorizerContext } from '../shared/auth.js';
import { config } from '../shared/config.js';
import { logger } from '../shared/observability.js';
import { getApiKey } from '../shared/store/api-keys.js';
import { TtlCache } from '../shared/ttl-cache.js';

/** The parts of a request (an authorizer event or a route's own event, payload 2.0) a verdict reads. */
interface CredentialRequest {
  readonly headers?: Record<string, string | undefined>;
  readonly cookies?: string[];
  readonly requestContext: { readonly domainName?: string; readonly http: { readonly method: string } };
}

type Reason =
  | 'ok'
  | 'missing'
  | 'malformed'
  | 'unknown_key'
  | 'unknown_session'
  | 'session_expired'
  | 'cross_origin';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface VerifiedKey {
  readonly id: string;
  readonly role: string;
  readonly tenantId?: string;
  readonly tenantIds?: readonly string[];
  /** Sessions: epoch seconds at which the session ends, whatever the cache's TTL. */
  readonly expiresAt?: number;
}

/** A cached verification still valid at `now` (ms), or undefined. */
function cachedVerification(credentialHash: string, now: number): VerifiedKey | undefined {
  const hit = verifiedCache().get(credentialHash, now);
  if (hit?.expiresAt !== undefined && Math.floor(now / 1000) >= hit.expiresAt) return undefined;
  return hit;
}

// Built at first use, so the TTL is read from the environment once.
let verified: TtlCache<VerifiedKey> | undefined;
function verifiedCache(): TtlCache<VerifiedKey> {
  verified ??= new TtlCache<VerifiedKey>({ ttlMs: config.authCacheMs(), maxEntries: 1000 });
  return verified;
}

function outcome(
  reason: Reason,
  key?: { role: string; tenantId?: string; tenantIds?: readonly string[]; id: string },
): AuthorizerContext {
  return {
    authenticated: key === undefined ? 'false' : 'true',
    role: key?.role ?? '',
    tenantId: key?.tenantId ?? '',
    tenantIds: key?.tenantIds?.join(',') ?? '',
    keyId: key?.id ?? '',
    reason,
  };
}

/** The bearer token, or undefined when the header is absent; '' when it is not a Bearer header. */
function bearerToken(headers: Record<string, string | undefined> | undefined): string | undefined {
  const value = headers?.authorization ?? headers?.Authorization;
  if (value === undefined) return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(value);
  return match?.[1] ?? '';
}

/** A state-changing request must come from a page of this very host (browsers always send Origin). */
function sameOrigin(event: CredentialRequest): boolean {
  if (SAFE_METHODS.has(event.requestContext.http.method.toUpperCase())) return true;
  const origin = event.headers?.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host === (event.headers?.host ?? event.requestContext.domainName);
  } catch {
    return false;
  }
}

/** A portal session: the cookie's link item, live and unrevoked, makes a tenant principal. */
async function sessionOutcome(event: CredentialRequest, cookie: string): Promise<AuthorizerContext> {
  const linkId = parseSessionId(cookie);
  if (linkId === undefined) return outcome('malformed');
  const presented = hashApiKey(cookie);
  let session = cachedVerification(presented, Date.now());
  if (session === undefined) {
    const record = await getPortalLink(linkId);
    // The key that minted the link, read again like any key: revoking it ends the session too.
    const minter = record?.createdBy === undefined ? undefined : await getApiKey(record.createdBy);
    const decision = sessionDecision(record, presented, Math.floor(Date.now() / 1000), minter);
    if (decision !== 'ok' || record === undefined) {
      logger.info('Portal session rejected', { linkId, reason: decision });
      return outcome(decision === 'ok' || decision === 'minter_revoked' ? 'unknown_session' : decision);
    }
    session = { role: 'tenant', tenantId: record.tenantId, id: linkId, expiresAt: record.expiresAt };
    verifiedCache().set(presented, session, Date.now());
  }
  if (!sameOrigin(event)) {
    logger.info('Portal session used cross-origin', { linkId, reason: 'cross_origin' });
    return outcome('cross_origin');
  }
  return outcome('ok', {
    role: session.role,
    id: session.id,
    ...(session.tenantId ? { tenantId: session.tenantId } : {}),
  });
}

/** The verdict on the request's credential (never throws for a bad one: `authenticated: "false"`). */
async function authenticate(event: CredentialRequest): Promise<AuthorizerContext> {
  const token = bearerToken(event.headers);
  if (token === undefined) {
    const cookie = sessionCookieValue(event.cookies ?? event.headers?.cookie?.split(';'));
    return cookie === undefined || cookie === '' ? outcome('missing') : sessionOutcome(event, cookie);
  }
  const keyId = parseApiKeyId(token);
  if (keyId === undefined) return outcome('malformed');
  const presented = hashApiKey(token);
  const cached = cachedVerification(presented, Date.now());
  if (cached !== undefined) return outcome('ok', cached);
  const record = await getApiKey(keyId);
  // Compare hashes even for an unknown id, so timing does not tell which ids exist.
  const matches = hashesEqual(presented, record?.hash ?? '0'.repeat(presented.length));
  if (record === undefined || !matches) {
    logger.info('API key rejected', { keyId, reason: 'unknown_key' });
    return outcome('unknown_key');
  }
  const key: VerifiedKey = {
    id: record.id,
    role: record.role,
    ...(record.tenantId !== undefined ? { tenantId: record.tenantId } : {}),
    ...(record.tenantIds !== undefined ? { tenantIds: record.tenantIds } : {}),
  };
  verifiedCache().set(presented, key, Date.now());
  return outcome('ok', key);
}

export { authenticate };
