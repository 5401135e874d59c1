/**
 * A small router: method + path template (`/v1/endpoints/{id}`) → route function. Matching is done on
 * the raw path, so it works the same behind explicit routes, a proxy route or the local runtime.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AuthorizedEvent, Principal } from '../shared/auth.js';
import { requirePrincipal } from '../shared/auth.js';
import { InvalidRequestError, NotFoundError } from '../shared/errors.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

type ApiEvent = APIGatewayProxyEventV2 & AuthorizedEvent;

interface RouteRequest {
  readonly event: ApiEvent;
  /** Undefined only on public routes. */
  readonly principal: Principal | undefined;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | undefined>>;
}

interface Route {
  readonly method: Method;
  readonly path: string;
  /** @default true */
  readonly auth?: boolean;
  readonly handle: (request: RouteRequest) => Promise<APIGatewayProxyStructuredResultV2>;
}

/** A route that needs a caller: the principal is always set. */
interface AuthedRequest extends RouteRequest {
  readonly principal: Principal;
}

function route(
  method: Method,
  path: string,
  handle: (request: AuthedRequest) => Promise<APIGatewayProxyStructuredResultV2>,
): Route {
  return { method, path, handle: (request) => handle(request as AuthedRequest) };
}

function publicRoute(method: Method, path: string, handle: Route['handle']): Route {
  return { method, path, auth: false, handle };
}

/** Path parameters when `path` fits `template`, else undefined. Segments are URL-decoded. */
function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.replace(/\/+$/, '').split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith('{') && w.endsWith('}')) {
      let value: string;
      try {
        value = decodeURIComponent(g);
      } catch {
        return undefined;
      }
      if (value === '') return undefined;
      params[w.slice(1, -1)] = value;
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}

/** Finds the route and runs it; errors propagate to the caller, which renders problems. */
async function dispatch(
  routes: readonly Route[],
  event: ApiEvent,
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath;
  let pathMatched = false;
  for (const candidate of routes) {
    const params = matchPath(candidate.path, path);
    if (params === undefined) continue;
    pathMatched = true;
    if (candidate.method !== method) continue;
    const principal = candidate.auth === false ? undefined : requirePrincipal(event);
    return candidate.handle({ event, principal, params, query: event.queryStringParameters ?? {} });
  }
  if (pathMatched) {
    throw new InvalidRequestError(`Method ${method} is not allowed on ${path}`, { detail: { method } });
  }
  throw new NotFoundError(`No route for ${method} ${path}`);
}

export type { ApiEvent, AuthedRequest, Method, Route, RouteRequest };
export { dispatch, matchPath, publicRoute, route };
