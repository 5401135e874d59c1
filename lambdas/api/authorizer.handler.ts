/**
 * HTTP API Lambda authorizer (payload 2.0, simple responses). It never denies: HTTP APIs cannot
 * customise gateway responses, so an unauthenticated request passes with `authenticated: "false"` and
 * a reason, and the route answers a 401 problem document (lambdas/shared/auth.ts).
 *
 * The verdict is lambdas/api/authenticate.ts's (the 5 s per-container cache of verified credentials,
 * portal sessions and their Origin check are described there); the publish routes have no authorizer
 * and run the same code in ingest (ADR 0005, amended).
 */
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import type { AuthorizerContext } from '../shared/auth.js';
import { authenticate } from './authenticate.js';

async function handler(
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> {
  return { isAuthorized: true, context: await authenticate(event) };
}

export { handler };
