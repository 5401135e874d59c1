/**
 * One webhook POST over node:http/https with the SSRF guard applied where it cannot be dodged: the
 * URL (and every redirect's Location) is re-validated with parseWebhookUrl, and the socket connects
 * through guardedLookup, so the address checked is the address used (DNS-rebinding safe). Nothing
 * here logs: headers carry signatures and the caller decides what is safe to record.
 */
import http from 'node:http';
import https from 'node:https';
import { ForbiddenAddressError, InvalidUrlError } from './errors.js';
import { guardedLookup, parseWebhookUrl } from './ssrf.js';

type WebhookErrorClass =
  | 'timeout'
  | 'connection_refused'
  | 'dns'
  | 'forbidden_address'
  | 'tls'
  | 'network'
  /** The URL or a redirect's Location is not a usable webhook URL, or more than MAX_REDIRECTS hops. */
  | 'invalid_url';

interface PostWebhookInput {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Deadline for the whole attempt, redirects included. */
  readonly timeoutMs: number;
  readonly allowLoopback: boolean;
}

interface PostWebhookResult {
  /** The final response's status; absent when no response arrived. */
  readonly statusCode?: number;
  /** The raw Retry-After header of the final response. */
  readonly retryAfter?: string;
  readonly errorClass?: WebhookErrorClass;
  readonly durationMs: number;
}

const MAX_REDIRECTS = 3;
/** Receivers' bodies are never used; read a bounded amount so a slow or huge answer cannot pin us. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

class RequestTimeout extends Error {
  override readonly name = 'RequestTimeout';
}

interface RawResponse {
  readonly statusCode: number;
  readonly location?: string;
  readonly retryAfter?: string;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sendOnce(url: URL, input: PostWebhookInput, signal: AbortSignal): Promise<RawResponse> {
  const transport = url.protocol === 'https:' ? https : http;
  const lookup = guardedLookup({
    allowLoopback: input.allowLoopback,
    allowedLoopbackHost: input.allowLoopback && url.hostname === 'localhost',
  });
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: {
          ...input.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(input.body)),
          'user-agent': 'Herald-Webhooks/1',
        },
        lookup,
        signal,
        // A fresh connection per attempt: a pooled socket would skip the connect-time address check.
        agent: false,
      },
      (response) => {
        let received = 0;
        const done = () =>
          resolve({
            statusCode: response.statusCode ?? 0,
            ...(response.headers.location ? { location: response.headers.location } : {}),
            ...(response.headers['retry-after']
              ? { retryAfter: headerValue(response.headers['retry-after']) }
              : {}),
          });
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) {
            response.destroy();
            done();
          }
        });
        response.on('end', done);
        response.on('error', (error) => (received > MAX_RESPONSE_BYTES ? done() : reject(error)));
      },
    );
    request.on('error', reject);
    request.end(input.body);
  });
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

function classify(error: unknown, timedOut: boolean): WebhookErrorClass {
  if (timedOut || error instanceof RequestTimeout) return 'timeout';
  if (error instanceof ForbiddenAddressError) return 'forbidden_address';
  if (error instanceof InvalidUrlError) return 'invalid_url';
  const code = (error as { code?: unknown }).code;
  if (code === 'forbidden_address') return 'forbidden_address';
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') return 'dns';
  if (
    typeof code === 'string' &&
    (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))
  ) {
    return 'tls';
  }
  return 'network';
}

/** POSTs the webhook, following up to three redirects; never throws for subscriber-side failures. */
async function postWebhook(input: PostWebhookInput): Promise<PostWebhookResult> {
  const started = performance.now();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new RequestTimeout(`no answer within ${input.timeoutMs} ms`));
  }, input.timeoutMs);
  const elapsed = () => Math.round(performance.now() - started);
  try {
    let url = parseWebhookUrl(input.url, { allowLoopback: input.allowLoopback });
    for (let redirects = 0; ; redirects += 1) {
      const response = await sendOnce(url, input, controller.signal);
      const isRedirect = REDIRECT_STATUSES.has(response.statusCode);
      if (!isRedirect || response.location === undefined) {
        return {
          statusCode: response.statusCode,
          ...(response.retryAfter !== undefined ? { retryAfter: response.retryAfter } : {}),
          durationMs: elapsed(),
        };
      }
      if (redirects >= MAX_REDIRECTS) return { errorClass: 'invalid_url', durationMs: elapsed() };
      let next: string;
      try {
        next = new URL(response.location, url).href;
      } catch {
        return { errorClass: 'invalid_url', durationMs: elapsed() };
      }
      // Every hop is validated as if the subscriber had registered it.
      url = parseWebhookUrl(next, { allowLoopback: input.allowLoopback });
    }
  } catch (error) {
    return { errorClass: classify(error, timedOut), durationMs: elapsed() };
  } finally {
    clearTimeout(timer);
  }
}

export type { PostWebhookInput, PostWebhookResult, WebhookErrorClass };
export { MAX_REDIRECTS, MAX_RESPONSE_BYTES, postWebhook };
