/**
 * One webhook POST over node:http/https with the SSRF guard applied where it cannot be dodged: the
 * URL is re-validated with parseWebhookUrl, and the socket connects through guardedLookup, so the
 * address checked is the address used (DNS-rebinding safe). Redirects are not followed (as Stripe
 * and Svix): a 3xx is the answer, reported with its Location so the subscriber can fix the URL.
 * Nothing here logs: headers carry signatures and the caller decides what is safe to record.
 */
import http from 'node:http';
import https from 'node:https';
import { ForbiddenAddressError, InvalidUrlError } from '../shared/errors.js';
import { guardedLookup, parseWebhookUrl } from './ssrf.js';

type WebhookErrorClass =
  | 'timeout'
  | 'connection_refused'
  | 'dns'
  | 'forbidden_address'
  | 'tls'
  | 'network'
  /** The URL is not a usable webhook URL. */
  | 'invalid_url';

interface PostWebhookInput {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Deadline for the whole attempt. */
  readonly timeoutMs: number;
  readonly allowLoopback: boolean;
}

interface PostWebhookResult {
  /** The response's status; absent when no response arrived. */
  readonly statusCode?: number;
  /** The raw Retry-After header of the response. */
  readonly retryAfter?: string;
  /** A 3xx response's Location header (not followed), at most MAX_LOCATION_CHARS characters. */
  readonly location?: string;
  /** The first RESPONSE_BODY_BYTES of the receiver's answer, as text, for people reading the attempt. */
  readonly responseBody?: string;
  readonly errorClass?: WebhookErrorClass;
  readonly durationMs: number;
}

/** A Location is receiver-chosen text shown in the API: bounded, like any other receiver input. */
const MAX_LOCATION_CHARS = 2048;
/** Receivers' bodies are never used; read a bounded amount so a slow or huge answer cannot pin us. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** How much of the answer an attempt records (shown in the portal; 1 KiB). */
const RESPONSE_BODY_BYTES = 1024;

class RequestTimeout extends Error {
  override readonly name = 'RequestTimeout';
}

interface RawResponse {
  readonly statusCode: number;
  readonly location?: string;
  readonly retryAfter?: string;
  readonly responseBody?: string;
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
        const head: Buffer[] = [];
        const status = response.statusCode ?? 0;
        const location = status >= 300 && status <= 399 ? response.headers.location : undefined;
        const done = () => {
          // Cut at a byte count: a split multi-byte character at the end decodes as U+FFFD.
          const body = Buffer.concat(head).subarray(0, RESPONSE_BODY_BYTES).toString('utf8');
          resolve({
            statusCode: status,
            ...(body !== '' ? { responseBody: body } : {}),
            ...(location ? { location: location.slice(0, MAX_LOCATION_CHARS) } : {}),
            ...(response.headers['retry-after']
              ? { retryAfter: headerValue(response.headers['retry-after']) }
              : {}),
          });
        };
        response.on('data', (chunk: Buffer) => {
          if (received < RESPONSE_BODY_BYTES) head.push(chunk);
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

/** POSTs the webhook once (a redirect is an answer, not followed); never throws for subscriber-side failures. */
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
    const url = parseWebhookUrl(input.url, { allowLoopback: input.allowLoopback });
    const response = await sendOnce(url, input, controller.signal);
    return {
      statusCode: response.statusCode,
      ...(response.retryAfter !== undefined ? { retryAfter: response.retryAfter } : {}),
      ...(response.location !== undefined ? { location: response.location } : {}),
      ...(response.responseBody !== undefined ? { responseBody: response.responseBody } : {}),
      durationMs: elapsed(),
    };
  } catch (error) {
    return { errorClass: classify(error, timedOut), durationMs: elapsed() };
  } finally {
    clearTimeout(timer);
  }
}

export type { PostWebhookInput, PostWebhookResult, WebhookErrorClass };
export { MAX_LOCATION_CHARS, postWebhook, RESPONSE_BODY_BYTES };
