/**
 * Operator actions over the public API (enable/disable an endpoint, replay, bulk replay, redrive) and
 * the reads the operations tests assert on. Kept beside the tests: the shared support/ folder is owned
 * by the rest of the e2e suite.
 */
import type { HeraldApi } from '../support/api.js';
import {
  type DeliverySummary,
  deliveriesOf,
  dlqs,
  expectStatus,
  type StoredEvent,
} from '../support/fixtures.js';
import type { ReceivedWebhook } from '../support/receiver.js';

interface ReplayAnswer {
  readonly replayed: number;
  readonly failed: number;
}

interface BulkReplayAnswer extends ReplayAnswer {
  readonly events: number;
  readonly truncated: boolean;
}

interface RedriveAnswer {
  readonly moved: number;
  readonly failed: number;
  readonly sourceQueue: string;
}

interface BulkReplayFilter {
  readonly tenantId: string;
  readonly since: string;
  readonly until: string;
  readonly endpointId?: string;
  readonly status?: string;
}

async function setEnabled(api: HeraldApi, endpointId: string, enabled: boolean): Promise<void> {
  const body = expectStatus(
    `${enabled ? 'enable' : 'disable'} endpoint`,
    await api.request<{ enabled: boolean }>('PATCH', `/v1/endpoints/${endpointId}`, { json: { enabled } }),
    200,
  );
  if (body.enabled !== enabled) throw new Error(`PATCH answered enabled=${String(body.enabled)}`);
}

async function replayEvent(api: HeraldApi, eventId: string, endpointId?: string): Promise<ReplayAnswer> {
  return expectStatus(
    'replay event',
    await api.post<ReplayAnswer>(`/v1/events/${eventId}/replay`, endpointId ? { endpointId } : {}),
    202,
  );
}

async function bulkReplay(api: HeraldApi, filter: BulkReplayFilter): Promise<BulkReplayAnswer> {
  return expectStatus('bulk replay', await api.post<BulkReplayAnswer>('/v1/replay', filter), 202);
}

async function redriveDlq(api: HeraldApi, name: string): Promise<RedriveAnswer> {
  return expectStatus(
    'redrive',
    await api.post<RedriveAnswer>(`/v1/dlq/${encodeURIComponent(name)}/redrive`, {}),
    200,
  );
}

/** The DLQ's depth as GET /v1/dlq reports it (visible messages). */
async function dlqDepth(api: HeraldApi, name: string): Promise<number> {
  const queue = (await dlqs(api)).find((q) => q.name === name);
  if (queue === undefined) throw new Error(`GET /v1/dlq lists no queue named ${name}`);
  return queue.depth;
}

/** The delivery summary of one (event, endpoint), or undefined before dispatch claimed it. */
async function deliveryTo(
  api: HeraldApi,
  eventId: string,
  endpointId: string,
): Promise<DeliverySummary | undefined> {
  return (await deliveriesOf(api, eventId)).deliveries.find((d) => d.endpointId === endpointId);
}

/** What a receiver that dedupes by webhook-id would apply: one effect per distinct id. */
function effects(received: readonly ReceivedWebhook[]): Set<string> {
  return new Set(received.flatMap((r) => (r.webhookId === undefined ? [] : [r.webhookId])));
}

/** How many accepted webhooks carry each id, in the order of `ids`. */
function perId(received: readonly ReceivedWebhook[], ids: readonly string[]): number[] {
  return ids.map((id) => received.filter((r) => r.webhookId === id).length);
}

/** Invoice orderIds per invoice.created event of a tenant (one entry per stored event). */
function invoicedOrders(events: readonly StoredEvent[]): string[] {
  return events
    .filter((e) => e.type === 'invoice.created')
    .map((e) => String((e.data as { orderId?: unknown }).orderId))
    .sort();
}

export type { BulkReplayAnswer, BulkReplayFilter, RedriveAnswer, ReplayAnswer };
export {
  bulkReplay,
  deliveryTo,
  dlqDepth,
  effects,
  invoicedOrders,
  perId,
  redriveDlq,
  replayEvent,
  setEnabled,
};
