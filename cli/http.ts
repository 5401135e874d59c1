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
  /**
   * Told before each wait that a 429 (or a GET's 503) with Retry-After asks for, so the user sees why
   * the command pauses. @default none
   */
  readonly onWait?: (wait: RateLimitWait) => void;
  /** How many such waits one request may make before its error is reported. @default 10 */
  readonly maxWaits?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

interface RateLimitWait {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly seconds: number;
  /** 1 for the first wait of this request. */
  readonly attempt: number;
  readonly maxWaits: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_WAITS = 10;
/** A Retry-After longer than this is not waited out: the error is reported instead. */
const MAX_WAIT_SECONDS = 300;

/** Seconds from a Retry-After header (delta-seconds or an HTTP date); undefined when absent or bad. */
function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

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
  private readonly onWait: ((wait: RateLimitWait) => void) | undefined;
  private readonly maxWaits: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: ApiClientOptions) {
    this.base = new URL(options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/`);
    this.apiKey = options.apiKey;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.onWait = options.onWait;
    this.maxWaits = options.maxWaits ?? DEFAULT_MAX_WAITS;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Sends one request; resolves with the parsed JSON body of a 2xx answer (undefined when empty).
   * A 429 with Retry-After (the API refused the call without acting on it), or a GET's 503 with
   * Retry-After, is waited out and sent again, up to `maxWaits` times.
   */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.requestOnce<T>(method, path, options);
      } catch (error) {
        const seconds = error instanceof RetryLater ? error.seconds : undefined;
        if (!(error instanceof RetryLater)) throw error;
        if (seconds === undefined || seconds > MAX_WAIT_SECONDS || attempt > this.maxWaits)
          throw error.apiError;
        this.onWait?.({
          method,
          path,
          status: error.apiError.status,
          seconds,
          attempt,
          maxWaits: this.maxWaits,
        });
        await this.sleep(seconds * 1000);
      }
    }
  }

  private async requestOnce<T>(method: string, path: string, options: RequestOptions): Promise<T> {
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
    if (!response.ok) {
      const error = problemError(response.status, body, method, path);
      if (response.status === 429 || (response.status === 503 && method === 'GET')) {
        throw new RetryLater(error, retryAfterSeconds(response.headers.get('retry-after')));
      }
      throw error;
    }
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

/** A 429/503 that may be sent again after `seconds` (undefined: no usable Retry-After). */
class RetryLater extends Error {
  constructor(
    readonly apiError: ApiError,
    readonly seconds: number | undefined,
  ) {
    super(apiError.message);
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

export type { ApiClientOptions, RateLimitWait, RequestOptions };
export { ApiClient };
