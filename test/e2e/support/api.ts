/**
 * A thin HTTP client for the Herald API as a black box: it sends exactly what it is given (raw bodies
 * and odd headers included) and hands back status, headers and the parsed body.
 */

interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or `{}` when the body is empty or not JSON (then `text` has it). */
  readonly body: T;
  readonly text: string;
}

interface RequestOptions {
  readonly key?: string | null;
  /** Serialised as JSON with `content-type: application/json` unless `raw` is given. */
  readonly json?: unknown;
  readonly raw?: string | Uint8Array;
  readonly headers?: Record<string, string>;
}

/** A problem document as the API answers errors (RFC 9457 + `code`). */
interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly code?: string;
  readonly detail?: string;
  readonly [extra: string]: unknown;
}

class HeraldApi {
  constructor(
    readonly baseUrl: string,
    readonly defaultKey: string,
  ) {}

  /** The same API with another key. */
  as(key: string): HeraldApi {
    return new HeraldApi(this.baseUrl, key);
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    const key = options.key === undefined ? this.defaultKey : options.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let body: string | Uint8Array | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, options.headers);
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.text();
    let parsed: unknown = {};
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = {};
      }
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get<T = Record<string, unknown>>(path: string, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, options);
  }

  post<T = Record<string, unknown>>(
    path: string,
    json?: unknown,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, json === undefined ? options : { ...options, json });
  }
}

export type { ApiResponse, Problem, RequestOptions };
export { HeraldApi };
