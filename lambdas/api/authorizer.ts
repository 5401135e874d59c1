/**
 * HTTP API Lambda authorizer (payload 2.0, simple responses). It never denies: HTTP APIs cannot
 * customise gateway responses, so an unauthenticated request passes with `authenticated: "false"` and
 * a reason, and the route answers a 401 problem document (lambdas/shared/auth.ts).
 *
 * A verified credential is remembered per container for at most 5 s (HERALD_AUTH_CACHE_SECONDS, capped),
 * keyed by the SHA-256 of the whole credential, so a busy publisher costs one key read per container
 * every 5 s instead of one per request; the key item is read strongly consistent, so a revoked key
 * stops working within 5 s (ADR 0005). Rejections are not cached: a key minted a moment ago works at once.
 */
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { hashApiKey, hashesEqual, parseApiKeyId } from '../shared/apikeys.js';
import type { AuthorizerContext } from '../shared/auth.js';
import { config } from '../shared/config.js';
import { logger } from '../shared/observability.js';
import { getApiKey } from '../shared/store/api-keys.js';
import { TtlCache } from '../shared/ttl-cache.js';

type Reason = 'ok' | 'missing' | 'malformed' | 'unknown_key';

interface VerifiedKey {
  readonly id: string;
  readonly role: string;
  readonly tenantId?: string;
}

// Built at first use, so the TTL is read from the environment once.
let verified: TtlCache<VerifiedKey> | undefined;
function verifiedCache(): TtlCache<VerifiedKey> {
  verified ??= new TtlCache<VerifiedKey>({ ttlMs: config.authCacheMs(), maxEntries: 1000 });
  return verified;
}

function outcome(reason: Reason, key?: { role: string; tenantId?: string; id: string }) {
  const context: AuthorizerContext = {
    authenticated: key === undefined ? 'false' : 'true',
    role: key?.role ?? '',
    tenantId: key?.tenantId ?? '',
    keyId: key?.id ?? '',
    reason,
  };
  return { isAuthorized: true, context };
}

/** The bearer token, or undefined when the header is absent; '' when it is not a Bearer header. */
function bearerToken(headers: Record<string, string | undefined> | undefined): string | undefined {
  const value = headers?.authorization ?? headers?.Authorization;
  if (value === undefined) return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(value);
  return match?.[1] ?? '';
}

async function handler(
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  const token = bearerToken(event.headers);
  if (token === undefined) return outcome('missing');
  const keyId = parseApiKeyId(token);
  if (keyId === undefined) return outcome('malformed');
  const presented = hashApiKey(token);
  const cache = verifiedCache();
  const cached = cache.get(presented, Date.now());
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
  };
  cache.set(presented, key, Date.now());
  return outcome('ok', key);
}

/** Forgets every verified credential (tests that revoke a key and must see it fail). */
function clearAuthorizerCache(): void {
  verified?.clear();
}

export { bearerToken, clearAuthorizerCache, handler };
