/**
 * GET /v1/tenants/{tenantId}/jwks.json — the tenant's v1a public keys in use, as a JSON Web Key Set.
 * No API key: receivers fetch it to verify (API.md "Endpoints"). It reads public parts only
 * (key-set-store.ts) and has no KMS grant. A tenant without v1a keys, or unknown, has an empty set.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HeraldError } from '../shared/errors.js';
import { logger } from '../shared/observability.js';
import { problemResponse } from '../shared/problem.js';
import { validateTenantId } from '../shared/validation.js';
import { keySet } from './key-set.js';
import { tenantEndpointKeys } from './key-set-store.js';

/** RFC 7517 §8.5.2. */
const JWK_SET_CONTENT_TYPE = 'application/jwk-set+json';
/** Short, so a key dropped with expireCurrentNow leaves receivers' caches within a minute. */
const CACHE_CONTROL = 'public, max-age=60';

async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    const tenantId = validateTenantId(event.pathParameters?.tenantId, 'tenantId');
    const set = keySet(await tenantEndpointKeys(tenantId), Math.floor(Date.now() / 1000));
    return {
      statusCode: 200,
      headers: {
        'content-type': JWK_SET_CONTENT_TYPE,
        'cache-control': CACHE_CONTROL,
        'access-control-allow-origin': '*',
      },
      body: JSON.stringify(set),
    };
  } catch (error) {
    if (!(error instanceof HeraldError) || error.status >= 500) {
      logger.error('Key set request failed', { path: event.rawPath, error });
    }
    return problemResponse(error, event.rawPath);
  }
}

export { handler, JWK_SET_CONTENT_TYPE };
