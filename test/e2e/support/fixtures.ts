/**
 * Domain helpers over the HTTP API: tenants, keys, endpoints, publishing, and reading back what the
 * pipeline did. Everything goes through the public API so it works against any target.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { ApiResponse, HeraldApi } from './api.js';
import { type ReceivedWebhook, rememberSecret } from './receiver.js';

interface PublishedEvent {
  readonly id: string;
  readonly type: string;
  readonly tenantId: string;
  readonly createdAt: string;
}

interface StoredEvent extends PublishedEvent {
  readonly data: Record<string, unknown>;
  readonly source?: string;
}

interface CreatedEndpoint {
  readonly id: string;
  readonly secret: string;
  readonly url: string;
}

interface AttemptItem {
  readonly endpointId: string;
  readonly generation: number;
  readonly attempt: number;
  readonly at: string;
  readonly statusCode?: number;
  readonly errorClass?: string;
  readonly durationMs: number;
  readonly outcome: string;
  readonly nextAttemptAt?: string;
  readonly waitReason?: 'schedule' | 'retry_after';
  readonly state: string;
}

interface DeliverySummary {
  readonly endpointId: string;
  readonly state: string;
  readonly generation: number;
  readonly attempts: number;
  readonly lastStatusCode?: number;
  readonly lastError?: string;
}

class UnexpectedResponseError extends Error {
  readonly code = 'unexpected_response';
  readonly status: number;
  readonly retryable = false;
  constructor(what: string, response: ApiResponse<unknown>) {
    super(`${what}: HTTP ${response.status} ${response.text.slice(0, 400)}`);
    this.name = 'UnexpectedResponseError';
    this.status = response.status;
  }
}

function expectStatus<T>(what: string, response: ApiResponse<T>, status: number): T {
  if (response.status !== status) throw new UnexpectedResponseError(what, response);
  return response.body;
}

/** A tenant id no other test (or earlier run against a remote target) uses. */
function uniqueTenant(label: string): string {
  return `t_${label}_${randomBytes(4).toString('hex')}`;
}

/** The example job's input (README): an order with lines, amounts in minor units. */
function orderPlaced(orderId: string): Record<string, unknown> {
  return { orderId, currency: 'EUR', lines: [{ sku: 'A', quantity: 2, unitPrice: 1250 }] };
}

async function createKey(api: HeraldApi, role: 'admin' | 'publisher' | 'tenant', tenantId?: string) {
  const body = expectStatus(
    `create ${role} key`,
    await api.post<{ id: string; key: string }>('/v1/keys', { role, ...(tenantId ? { tenantId } : {}) }),
    201,
  );
  return body;
}

async function createEndpoint(
  api: HeraldApi,
  input: {
    tenantId: string;
    url: string;
    eventTypes: readonly string[];
    filter?: Record<string, unknown>;
    rateLimit?: number;
  },
): Promise<CreatedEndpoint> {
  const body = expectStatus(
    'create endpoint',
    await api.post<{ id: string; secret: string; url: string }>('/v1/endpoints', input),
    201,
  );
  // The test receiver verifies what arrives for this URL with `standardwebhooks` (receiver.ts).
  rememberSecret(input.url, body.secret);
  return { id: body.id, secret: body.secret, url: body.url };
}

async function publish(
  api: HeraldApi,
  event: { type: string; tenantId: string; data: Record<string, unknown> },
  idempotencyKey?: string,
): Promise<ApiResponse<PublishedEvent>> {
  return api.post<PublishedEvent>('/v1/events', event, {
    ...(idempotencyKey !== undefined ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
  });
}

async function publishOk(
  api: HeraldApi,
  event: { type: string; tenantId: string; data: Record<string, unknown> },
  idempotencyKey?: string,
): Promise<PublishedEvent> {
  return expectStatus('publish', await publish(api, event, idempotencyKey), 202);
}

/** Every event of a tenant (all pages). */
async function tenantEvents(api: HeraldApi, tenantId: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ tenantId, limit: '100', ...(cursor ? { cursor } : {}) });
    const page = expectStatus(
      'list events',
      await api.get<{ items: StoredEvent[]; nextCursor?: string }>(`/v1/events?${query}`),
      200,
    );
    events.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return events;
}

async function deliveriesOf(
  api: HeraldApi,
  eventId: string,
): Promise<{ attempts: AttemptItem[]; deliveries: DeliverySummary[] }> {
  const attempts: AttemptItem[] = [];
  let deliveries: DeliverySummary[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
    const page = expectStatus(
      'list deliveries',
      await api.get<{ items: AttemptItem[]; nextCursor?: string; deliveries: DeliverySummary[] }>(
        `/v1/events/${eventId}/deliveries?${query}`,
      ),
      200,
    );
    attempts.push(...page.items);
    deliveries = page.deliveries;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  attempts.sort((a, b) => a.generation - b.generation || a.attempt - b.attempt);
  return { attempts, deliveries };
}

/**
 * The wait the sender scheduled after this attempt: `nextAttemptAt` is set when the attempt finished
 * (`at` is when it started), so the attempt's own duration is taken off.
 */
function scheduledWaitMs(attempt: AttemptItem): number | undefined {
  if (attempt.nextAttemptAt === undefined) return undefined;
  return Date.parse(attempt.nextAttemptAt) - (Date.parse(attempt.at) + attempt.durationMs);
}

interface DlqSummary {
  readonly name: string;
  readonly sourceQueue: string;
  readonly depth: number;
  readonly oldestMessageAgeSeconds?: number;
}

async function dlqs(api: HeraldApi): Promise<DlqSummary[]> {
  return expectStatus('list DLQs', await api.get<{ items: DlqSummary[] }>('/v1/dlq'), 200).items;
}

/** The webhook DLQ is the one whose source is the dispatch queue. */
function isWebhookDlq(dlq: DlqSummary): boolean {
  return /webhook/i.test(dlq.name);
}

async function peekDlq(
  api: HeraldApi,
  name: string,
): Promise<Array<{ body: unknown; receiveCount: number; attributes?: Record<string, string> }>> {
  return expectStatus(
    'peek DLQ',
    await api.get<{
      items: Array<{ body: unknown; receiveCount: number; attributes?: Record<string, string> }>;
    }>(`/v1/dlq/${encodeURIComponent(name)}/messages?limit=100`),
    200,
  ).items;
}

/** Verifies a received webhook with the off-the-shelf `standardwebhooks` package; throws if invalid. */
function verifyWithLibrary(secret: string, webhook: ReceivedWebhook): unknown {
  const headers: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    headers[name] = webhook.headers[name] ?? '';
  }
  return new Webhook(secret).verify(webhook.body, headers);
}

/** Counts per key, and the keys seen more than once. */
function tally(values: readonly (string | undefined)[]): { counts: Map<string, number>; repeated: string[] } {
  const counts = new Map<string, number>();
  for (const value of values) if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
  return { counts, repeated: [...counts].filter(([, n]) => n > 1).map(([k]) => k) };
}

export type { AttemptItem, CreatedEndpoint, DeliverySummary, DlqSummary, PublishedEvent, StoredEvent };
export {
  createEndpoint,
  createKey,
  deliveriesOf,
  dlqs,
  expectStatus,
  isWebhookDlq,
  orderPlaced,
  peekDlq,
  publish,
  publishOk,
  scheduledWaitMs,
  tally,
  tenantEvents,
  uniqueTenant,
  verifyWithLibrary,
};
