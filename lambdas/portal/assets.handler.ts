/**
 * Serves the consumer portal's static assets (GET /portal, GET /portal/{proxy+}) from this function's
 * own bundle: lib/portal.ts builds portal/ into `<bundle>/portal` at synth. No table, no key, no
 * session logic: the page talks to the /v1 API like any client. Every answer carries a strict
 * Content-Security-Policy (no inline script or style, nothing from another origin).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  // Small files that change with every deploy: revalidate rather than cache stale code.
  'cache-control': 'no-cache',
};

/** The only files there are; anything else is a 404 (no path is ever joined from the request). */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/** `HERALD_PORTAL_ASSETS` overrides the bundle's own folder (tests point it at a fresh build). */
function assetsDir(): string {
  return process.env.HERALD_PORTAL_ASSETS ?? join(__dirname, 'portal');
}

const cache = new Map<string, string>();

function read(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(join(assetsDir(), name), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** `/portal`, `/portal/` and `/portal/index.html` are the page; `/portal/app.js` and `app.css` its assets. */
function fileFor(rawPath: string): string | undefined {
  const rest = rawPath.replace(/^\/portal\/?/, '');
  if (rest === '') return 'index.html';
  return Object.hasOwn(FILES, rest) ? rest : undefined;
}

async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const name = fileFor(event.rawPath);
  if (name === undefined) {
    return {
      statusCode: 404,
      headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' },
      body: 'Not found. The portal is at /portal/.\n',
    };
  }
  return {
    statusCode: 200,
    headers: { ...SECURITY_HEADERS, 'content-type': FILES[name]! },
    body: read(name),
  };
}

export { CONTENT_SECURITY_POLICY, handler };
