/**
 * The API client: fetch with a bearer key, JSON in and out, and every failure turned into a CliError
 * (problem documents keep their `code` and `detail`; no answer at all is a NetworkError).
 */
import { ApiError, NetworkError } from './errors.js';
import { exitCodeForStatus } from './exit-codes.js';
import { hintFor } from './hints.js';

interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
}

interface ApiClientOptions {
  readonly apiUrl: string;
  readonly apiKey: string;
  /** @default 30000 */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Fields of an RFC 9457 problem document that are not extension members. */
const PROBLEM_FIELDS = new Set(['type', 'title', 'status', 'detail', 'code', 'instance']);

function problemError(status: number, body: unknown, method: string, path: string): ApiError {
  const problem = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const code = typeof problem.code === 'string' ? problem.code : `http_${status}`;
  const message =
    typeof problem.detail === 'string'
      ? problem.detail
      : typeof problem.title === 'string'
        ? problem.title
        : `${method} ${path} answered HTTP ${status}`;
  const extensions = Object.fromEntries(Object.entries(problem).filter(([k]) => !PROBLEM_FIELDS.has(k)));
  const hint = hintFor(code);
  return new ApiError(
    message,
    {
      code,
      status,
      retryable: status === 408 || status === 429 || status >= 500,
      exitCode: exitCodeForStatus(status),
    },
    {
      ...(Object.keys(extensions).length > 0 ? { detail: extensions } : {}),
      ...(hint !== undefined ? { hint } : {}),
    },
  );
}

class ApiClient {
  private readonly base: URL;
  private readonly apiKey: string;
  private readonly timeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.base = new URL(options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`);
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Sends one request; resolves with the parsed JSON body of a 2xx answer (undefined when empty). */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      authorization: `Bearer ${this.apiKey}`,
      ...options.headers,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      // The message names the host only: the key is in a header, never in the URL.
      throw new NetworkError(`Cannot reach ${url.origin}: ${reasonOf(error)}`, {
        cause: error,
        hint: hintFor('network'),
      });
    }
    const text = await response.text();
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
        if (response.ok) {
          throw new ApiError(
            `${method} ${path} answered HTTP ${response.status} with a body that is not JSON`,
            { code: 'invalid_response', status: response.status, retryable: false, exitCode: 1 },
            { hint: 'Is --url / HERALD_URL the Herald API (not the metrics or another service)?' },
          );
        }
      }
    }
    if (!response.ok) throw problemError(response.status, body, method, path);
    return body as T;
  }

  /** Plain GET of an absolute URL without the API key (the local metrics endpoint needs none). */
  static async getJson(url: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new NetworkError(`Cannot reach ${url}: ${reasonOf(error)}`, {
        cause: error,
        hint: hintFor('network'),
      });
    }
    if (!response.ok) throw problemError(response.status, undefined, 'GET', url);
    return (await response.json()) as unknown;
  }
}

/** The useful part of a fetch failure: undici hides the socket error in `cause`. */
function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'timed out';
    const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
    if (typeof cause?.code === 'string') return cause.code;
    if (typeof cause?.message === 'string') return cause.message;
    return error.message;
  }
  return String(error);
}

export type { ApiClientOptions, RequestOptions };
export { ApiClient };
