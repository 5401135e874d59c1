/** The few Herald HTTP API calls the benchmark makes (API.md), over loopback with the admin key. */

class BenchApiError extends Error {
  readonly code = 'bench_api_error';
  readonly retryable: boolean;
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.retryable = status >= 500 || status === 409 || status === 429;
  }
}

interface ApiClient {
  request<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

function apiClient(apiUrl: string, apiKey: string): ApiClient {
  return {
    async request<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`${apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      return { status: res.status, body: (text === '' ? {} : JSON.parse(text)) as T };
    },
  };
}

/** Calls and insists on the expected status (set-up steps, where any other answer is a bug). */
async function expectStatus<T>(
  client: ApiClient,
  status: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await client.request<T>(method, path, body);
  if (res.status !== status)
    throw new BenchApiError(`${method} ${path} answered ${res.status}, expected ${status}`, res.status);
  return res.body;
}

interface CreatedEndpoint {
  readonly id: string;
  readonly secret: string;
}

/**
 * The endpoint's secret exists only after it is created, and the receiver needs it to verify; so the
 * endpoint is created on a placeholder URL and pointed at the receiver with PATCH. `filter`: a payload
 * filter (API.md), checked when saved.
 */
async function createEndpoint(
  client: ApiClient,
  tenantId: string,
  eventTypes: string[],
  filter?: unknown,
): Promise<CreatedEndpoint> {
  return expectStatus<CreatedEndpoint>(client, 201, 'POST', '/v1/endpoints', {
    tenantId,
    url: 'http://127.0.0.1:9/placeholder',
    eventTypes,
    description: 'bench receiver',
    ...(filter === undefined ? {} : { filter }),
  });
}

async function pointEndpoint(client: ApiClient, id: string, url: string): Promise<void> {
  await expectStatus(client, 200, 'PATCH', `/v1/endpoints/${id}`, { url });
}

interface AttemptItem {
  readonly endpointId: string;
  readonly attempt: number;
  readonly at: string;
  readonly durationMs: number;
  readonly statusCode?: number;
  readonly outcome: string;
}

async function attemptsOf(client: ApiClient, eventId: string): Promise<AttemptItem[]> {
  const body = await expectStatus<{ items: AttemptItem[] }>(
    client,
    200,
    'GET',
    `/v1/events/${eventId}/deliveries`,
  );
  return body.items;
}

export type { ApiClient, AttemptItem, CreatedEndpoint };
export { apiClient, attemptsOf, BenchApiError, createEndpoint, expectStatus, pointEndpoint };
