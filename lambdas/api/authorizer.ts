/**
 * HTTP API Lambda authorizer (payload 2.0, simple responses). It never denies: HTTP APIs cannot
 * customise gateway responses, so an unauthenticated request passes with `authenticated: "false"` and
 * a reason, and the route answers a 401 problem document (lambdas/shared/auth.ts). Results are not
 * cached and the key item is read strongly consistent, so a revoked key stops working at once.
 *
 * Without an Authorization header, a portal session cookie is accepted as a tenant principal
 * (lambdas/shared/portal-tokens.ts). Its CSRF defences: the cookie is SameSite=Strict, bodies must be
 * `application/json`, and a state-changing request must carry an Origin equal to its own host.
 */
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { hashApiKey, hashesEqual, parseApiKeyId } from '../shared/apikeys.js';
import type { AuthorizerContext } from '../shared/auth.js';
import { logger } from '../shared/observability.js';
import { parseSessionId, readCookie, SESSION_COOKIE, sessionDecision } from '../shared/portal-tokens.js';
import { getApiKey } from '../shared/store/api-keys.js';
import { getPortalLink } from '../shared/store/portal.js';

type Reason =
  | 'ok'
  | 'missing'
  | 'malformed'
  | 'unknown_key'
  | 'unknown_session'
  | 'session_expired'
  | 'cross_origin';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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

/** A state-changing request must come from a page of this very host (browsers always send Origin). */
function sameOrigin(event: APIGatewayRequestAuthorizerEventV2): boolean {
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
async function sessionOutcome(event: APIGatewayRequestAuthorizerEventV2, cookie: string) {
  const linkId = parseSessionId(cookie);
  if (linkId === undefined) return outcome('malformed');
  const record = await getPortalLink(linkId);
  const decision = sessionDecision(record, hashApiKey(cookie), Math.floor(Date.now() / 1000));
  if (decision !== 'ok' || record === undefined) {
    logger.info('Portal session rejected', { linkId, reason: decision });
    return outcome(decision === 'ok' ? 'unknown_session' : decision);
  }
  if (!sameOrigin(event)) {
    logger.info('Portal session used cross-origin', { linkId, reason: 'cross_origin' });
    return outcome('cross_origin');
  }
  return outcome('ok', { role: 'tenant', tenantId: record.tenantId, id: linkId });
}

async function handler(
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  const token = bearerToken(event.headers);
  if (token === undefined) {
    const cookie = readCookie(event.cookies ?? event.headers?.cookie?.split(';'), SESSION_COOKIE);
    return cookie === undefined || cookie === '' ? outcome('missing') : sessionOutcome(event, cookie);
  }
  const keyId = parseApiKeyId(token);
  if (keyId === undefined) return outcome('malformed');
  const record = await getApiKey(keyId);
  // Compare hashes even for an unknown id, so timing does not tell which ids exist.
  const presented = hashApiKey(token);
  const matches = hashesEqual(presented, record?.hash ?? '0'.repeat(presented.length));
  if (record === undefined || !matches) {
    logger.info('API key rejected', { keyId, reason: 'unknown_key' });
    return outcome('unknown_key');
  }
  return outcome('ok', record);
}

export { bearerToken, handler, sameOrigin };
