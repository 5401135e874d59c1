// Plays an HTTP API (API Gateway v2) from the template: routes, Lambda proxy integrations (payload
// format 2.0) and a REQUEST Lambda authorizer (simple or IAM responses), on a local port.
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface RouteSpec {
  readonly routeKey: string; // "GET /v1/things/{id}" or "$default"
  readonly functionArn: string;
  readonly authorizer?: AuthorizerSpec;
}

export interface AuthorizerSpec {
  readonly functionArn: string;
  readonly identitySource: readonly string[]; // "$request.header.Authorization"
  readonly simpleResponses: boolean;
}

export type InvokeByArn = (functionArn: string, event: unknown) => Promise<unknown>;

interface Match {
  readonly route: RouteSpec;
  readonly pathParameters: Record<string, string>;
}

const TEXT_TYPES = /^(text\/|application\/(json|problem\+json|xml|x-www-form-urlencoded|[a-z.+-]*\+json))/i;

/** Finds the most specific route for a request: literal segments beat {param}, which beats {proxy+}. */
export function matchRoute(routes: readonly RouteSpec[], method: string, path: string): Match | undefined {
  const segments = path.split('/').filter(Boolean);
  let best: { match: Match; score: number } | undefined;
  for (const route of routes) {
    if (route.routeKey === '$default') continue;
    const [routeMethod = '', routePath = ''] = route.routeKey.split(' ');
    if (routeMethod !== 'ANY' && routeMethod !== method) continue;
    const parts = routePath.split('/').filter(Boolean);
    const params: Record<string, string> = {};
    let score = routeMethod === 'ANY' ? 0 : 1;
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const part = parts[i] ?? '';
      const greedy = /^\{(.+)\+\}$/.exec(part);
      if (greedy?.[1] !== undefined && i === parts.length - 1) {
        if (segments.length <= i) ok = false;
        else params[greedy[1]] = segments.slice(i).map(decodeURIComponent).join('/');
        break;
      }
      const seg = segments[i];
      const param = /^\{(.+)\}$/.exec(part);
      if (seg === undefined) ok = false;
      else if (param?.[1] !== undefined) {
        params[param[1]] = decodeURIComponent(seg);
        score += 10;
      } else if (seg === part) score += 100;
      else ok = false;
    }
    const greedyLast = /\+\}$/.test(parts.at(-1) ?? '');
    if (!ok || (!greedyLast && parts.length !== segments.length)) continue;
    if (best === undefined || score > best.score) best = { match: { route, pathParameters: params }, score };
  }
  const fallback = routes.find((r) => r.routeKey === '$default');
  return best?.match ?? (fallback ? { route: fallback, pathParameters: {} } : undefined);
}

function headerMap(req: IncomingMessage): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies = String(value).split(/;\s*/).filter(Boolean);
    else headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return { headers, cookies };
}

/** Builds the payload-format-2.0 event API Gateway sends to a Lambda proxy integration. */
function buildEvent(
  req: IncomingMessage,
  body: Buffer,
  routeKey: string,
  pathParameters: Record<string, string>,
  apiId: string,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const { headers, cookies } = headerMap(req);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = new Date();
  // A body that is not valid UTF-8 goes base64-encoded, as binary, rather than through a lossy
  // conversion that would hide the bad bytes from the handler's validation.
  const textual = TEXT_TYPES.test(headers['content-type'] ?? 'text/plain') && isUtf8(body);
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId,
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
  };
}

/** Reads an authorizer's answer: simple `{ isAuthorized, context }` or an IAM policy. */
export function authorizerDecision(
  result: unknown,
  simple: boolean,
): { allowed: boolean; context: Record<string, unknown> } {
  const r = (result ?? {}) as {
    isAuthorized?: unknown;
    context?: Record<string, unknown>;
    policyDocument?: { Statement?: Array<{ Effect?: string }> };
  };
  if (simple) return { allowed: r.isAuthorized === true, context: r.context ?? {} };
  const allowed =
    (r.policyDocument?.Statement ?? []).some((s) => s.Effect === 'Allow') &&
    !(r.policyDocument?.Statement ?? []).some((s) => s.Effect === 'Deny');
  return { allowed, context: r.context ?? {} };
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): void {
  res.writeHead(status, headers).end(body);
}

/** Writes a Lambda's v2 response: structured ({ statusCode, ... }) or any other value as JSON 200. */
function writeResult(res: ServerResponse, result: unknown): void {
  const r = result as {
    statusCode?: number;
    headers?: Record<string, string | number | boolean>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  } | null;
  if (r === null || typeof r !== 'object' || typeof r.statusCode !== 'number') {
    send(res, 200, typeof result === 'string' ? result : JSON.stringify(result));
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  if (r.cookies?.length) headers['set-cookie'] = r.cookies;
  headers['content-type'] ??= 'application/json';
  res
    .writeHead(r.statusCode, headers)
    .end(r.body === undefined ? '' : Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8'));
}

/** The HTTP API's port is taken: said in one line by `npm start`, which then exits non-zero. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  readonly code = 'local_port_in_use';
  readonly retryable = false;
  constructor(
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(`port ${port} is already in use`, options);
  }
}

export class LocalHttpApi {
  private server: Server | undefined;
  url = '';

  constructor(
    /** Settable after listen(): function environments need the URL before routes can be resolved. */
    public routes: readonly RouteSpec[],
    private readonly invoke: InvokeByArn,
    private readonly apiId: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  async listen(port: number): Promise<string> {
    this.server = createServer(
      (req, res) =>
        void this.handle(req, res).catch((error: unknown) => {
          this.onError(error);
          if (!res.headersSent) send(res, 500, JSON.stringify({ message: 'Internal Server Error' }));
        }),
    );
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, { cause: error }) : error),
      );
      server.listen(port, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const match = matchRoute(this.routes, method, path);
    if (match === undefined) return send(res, 404, JSON.stringify({ message: 'Not Found' }));
    const { route, pathParameters } = match;
    const event = buildEvent(req, Buffer.concat(chunks), route.routeKey, pathParameters, this.apiId);
    if (route.authorizer !== undefined) {
      const authorizer = route.authorizer;
      const identity = authorizer.identitySource.map((source) => {
        const header = /^\$request\.header\.(.+)$/i.exec(source)?.[1];
        const q = /^\$request\.querystring\.(.+)$/i.exec(source)?.[1];
        return header
          ? event.headers[header.toLowerCase()]
          : q
            ? event.queryStringParameters?.[q]
            : undefined;
      });
      // API Gateway answers 401 itself when an identity source is missing, without calling the authorizer.
      if (identity.some((v) => v === undefined || v === ''))
        return send(res, 401, JSON.stringify({ message: 'Unauthorized' }));
      let decision: { allowed: boolean; context: Record<string, unknown> };
      try {
        const authEvent = {
          ...event,
          type: 'REQUEST',
          routeArn: `arn:aws:execute-api:us-east-1:000000000000:${this.apiId}/$default/${method}${path}`,
          identitySource: identity,
        };
        decision = authorizerDecision(
          await this.invoke(authorizer.functionArn, authEvent),
          authorizer.simpleResponses,
        );
      } catch (error) {
        this.onError(error);
        return send(res, 500, JSON.stringify({ message: 'Internal Server Error' }));
      }
      if (!decision.allowed) return send(res, 403, JSON.stringify({ message: 'Forbidden' }));
      (event.requestContext as unknown as Record<string, unknown>).authorizer = { lambda: decision.context };
    }
    let result: unknown;
    try {
      result = await this.invoke(route.functionArn, event);
    } catch (error) {
      this.onError(error);
      const timedOut = (error as { errorType?: string }).errorType === 'Sandbox.Timedout';
      return send(
        res,
        timedOut ? 503 : 500,
        JSON.stringify({ message: timedOut ? 'Service Unavailable' : 'Internal Server Error' }),
      );
    }
    writeResult(res, result);
  }
}
