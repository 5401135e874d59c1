/**
 * HTTP API Lambda authorizer (payload 2.0, simple responses). It never denies: HTTP APIs cannot
 * customise gateway responses, so an unauthenticated request passes with `authenticated: "false"` and
 * a reason, and the route answers a 401 problem document (lambdas/shared/auth.ts). Results are not
 * cached and the key item is read strongly consistent, so a revoked key stops working at once.
 */
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { hashApiKey, hashesEqual, parseApiKeyId } from '../shared/apikeys.js';
import type { AuthorizerContext } from '../shared/auth.js';
import { logger } from '../shared/observability.js';
import { getApiKey } from '../shared/store/api-keys.js';

type Reason = 'ok' | 'missing' | 'malformed' | 'unknown_key';

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

export { bearerToken, handler };
