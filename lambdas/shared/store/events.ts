/**
 * Event items (docs/internals.md "Main table"): `EVT#<id>` / `EVT`, listed per tenant by time through
 * gsi1 (`TENANT#<tenantId>#EVT`, `<createdAt>#<id>`). Events live 30 days (`expiresAt`). `data` is
 * stored as JSON text, the producer's own (docs/patterns/delivery-semantics.md "No orphan events").
 *
 * The item is written by dispatch when the published message arrives (`recordPublished`), not by
 * ingest before publishing: publishing is the commit point, so an event is listed only once it is on
 * its way. A publish that failed in an unknown way is cancelled with a tombstone on the same key
 * (`cancelPublish`): no gsi1 keys (never listed), `cancelledPublishes` (the publish attempts it voids).
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import { dataText } from '../event-json.js';
import type { EventSource, HeraldEvent } from '../model.js';
import { compositeKey, isConditionFailure, type Page, queryGsi1Page, type StoreKey } from './table.js';

/**
 * Dispatch's claim folded into the event record (adrs/0014): the endpoints its first run delivers to,
 * and until when that run owns their first attempts. A duplicate message or a redelivery meanwhile
 * finds no delivery item and waits instead of sending too.
 */
interface DispatchClaim {
  readonly endpointIds: readonly string[];
  readonly until: string;
}

interface StoredEvent extends HeraldEvent {
  readonly source: string;
  /** Internal: never part of an API view (event-views.ts drops it). */
  readonly dispatchClaim?: DispatchClaim;
}

const EVENT_RETENTION_SECONDS = 30 * 24 * 60 * 60;

function keyOf(id: string): StoreKey {
  return { pk: compositeKey('EVT', id), sk: 'EVT' };
}

function isTombstone(item: Record<string, unknown>): boolean {
  return item.cancelledPublishes !== undefined && item.type === undefined;
}

function toStored(item: Record<string, unknown>): StoredEvent {
  // Items written before data was kept as text hold it as a map.
  const text = typeof item.data === 'string' ? item.data : undefined;
  return {
    id: String(item.id),
    type: String(item.type),
    tenantId: String(item.tenantId),
    createdAt: String(item.createdAt),
    ...(typeof item.schemaVersion === 'number' ? { schemaVersion: item.schemaVersion } : {}),
    data: (text !== undefined ? JSON.parse(text) : (item.data ?? {})) as Record<string, unknown>,
    ...(text !== undefined ? { dataJson: text } : {}),
    source: String(item.source ?? 'api'),
    ...(Array.isArray(item.claimedEndpoints) && typeof item.claimedUntil === 'string'
      ? { dispatchClaim: { endpointIds: item.claimedEndpoints.map(String), until: item.claimedUntil } }
      : {}),
  };
}

function expiresAtOf(createdAt: string): number {
  return Math.floor(Date.parse(createdAt) / 1000) + EVENT_RETENTION_SECONDS;
}

/**
 * Records the event once. An existing event with the same id is success (a duplicate message, a job
 * re-emitting its deterministic follow-up id, a client retrying with its Idempotency-Key); a tombstone
 * is replaced unless it cancels this very publish (`publishId`). Answers whether this call created it.
 * `claim`: dispatch's claim on the first deliveries, written with the record (adrs/0014).
 */
async function putEvent(
  event: HeraldEvent,
  source: EventSource,
  publishId = '',
  claim?: DispatchClaim,
): Promise<boolean> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: config.table(),
        Item: {
          ...keyOf(event.id),
          gsi1pk: compositeKey('TENANT', event.tenantId, 'EVT'),
          gsi1sk: compositeKey(event.createdAt, event.id),
          id: event.id,
          type: event.type,
          tenantId: event.tenantId,
          createdAt: event.createdAt,
          ...(event.schemaVersion !== undefined ? { schemaVersion: event.schemaVersion } : {}),
          data: dataText(event),
          source,
          expiresAt: expiresAtOf(event.createdAt),
          ...(claim !== undefined && claim.endpointIds.length > 0
            ? { claimedEndpoints: [...claim.endpointIds], claimedUntil: claim.until }
            : {}),
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR (attribute_exists(cancelledPublishes) AND NOT contains(cancelledPublishes, :p))',
        ExpressionAttributeValues: { ':p': publishId },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

type Recorded =
  | { readonly status: 'created'; readonly event: HeraldEvent }
  | { readonly status: 'duplicate'; readonly event: StoredEvent }
  | { readonly status: 'cancelled' };

/**
 * Dispatch's first step for a published event: store it (one conditional write on the happy path).
 * `duplicate` answers the stored copy (its createdAt wins, so every delivery of one id carries the same
 * body); `cancelled` means ingest answered this publish with an error: nothing may be delivered.
 */
async function recordPublished(
  event: HeraldEvent,
  source: EventSource,
  publishId?: string,
  claim?: DispatchClaim,
): Promise<Recorded> {
  if (await putEvent(event, source, publishId, claim)) return { status: 'created', event };
  const result = await documentClient().send(
    new GetCommand({ TableName: config.table(), Key: keyOf(event.id), ConsistentRead: true }),
  );
  if (result.Item === undefined) throw new Error(`Event ${event.id} vanished after a conditional write`);
  if (isTombstone(result.Item)) return { status: 'cancelled' };
  return { status: 'duplicate', event: toStored(result.Item) };
}

/**
 * Voids publish attempt `publishId` of event `id`, whose outcome ingest could not learn (SNS failed or
 * timed out): a tombstone that `recordPublished` honours. Answers `published` when the event is already
 * stored — the message did go out and dispatch recorded it — so the caller answers 202 after all.
 */
async function cancelPublish(
  id: string,
  publishId: string,
  createdAt: string,
): Promise<'cancelled' | 'published'> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: config.table(),
        Key: keyOf(id),
        UpdateExpression: 'ADD cancelledPublishes :p SET expiresAt = if_not_exists(expiresAt, :exp)',
        ConditionExpression: 'attribute_not_exists(pk) OR attribute_exists(cancelledPublishes)',
        ExpressionAttributeValues: { ':p': new Set([publishId]), ':exp': expiresAtOf(createdAt) },
      }),
    );
    return 'cancelled';
  } catch (error) {
    if (isConditionFailure(error)) return 'published';
    throw error;
  }
}

async function getEvent(id: string): Promise<StoredEvent | undefined> {
  const result = await documentClient().send(new GetCommand({ TableName: config.table(), Key: keyOf(id) }));
  return result.Item === undefined || isTombstone(result.Item) ? undefined : toStored(result.Item);
}

/**
 * The tenant's events in time order (oldest first unless `newestFirst`). `since` is inclusive and
 * `until` exclusive (ISO-8601 UTC): the sort key is `<createdAt>#<id>`, so `until` itself sorts before
 * every event created at that instant. `type` filters after the read, so a page may hold fewer than
 * `limit` items while `lastEvaluatedKey` says there is more.
 */
async function listEvents(
  tenantId: string,
  options: {
    limit: number;
    startKey?: StoreKey;
    since?: string;
    until?: string;
    type?: string;
    newestFirst?: boolean;
  },
): Promise<Page<StoredEvent>> {
  const values: Record<string, string> = {};
  if (options.type !== undefined) values[':type'] = options.type;
  let range = '';
  if (options.since !== undefined && options.until !== undefined) {
    range = ' AND gsi1sk BETWEEN :since AND :until';
    values[':since'] = options.since;
    values[':until'] = options.until;
  } else if (options.since !== undefined) {
    range = ' AND gsi1sk >= :since';
    values[':since'] = options.since;
  } else if (options.until !== undefined) {
    range = ' AND gsi1sk < :until';
    values[':until'] = options.until;
  }
  const page = await queryGsi1Page(compositeKey('TENANT', tenantId, 'EVT'), {
    limit: options.limit,
    ...(options.startKey !== undefined ? { startKey: options.startKey } : {}),
    newestFirst: options.newestFirst === true,
    range,
    values,
    // `type` is projected into the list index, so the filter runs there: non-matching events are not read.
    ...(options.type !== undefined
      ? { filter: { expression: '#type = :type', names: { '#type': 'type' } } }
      : {}),
  });
  return { ...page, items: page.items.map(toStored) };
}

export type { DispatchClaim, Recorded, StoredEvent };
export { cancelPublish, expiresAtOf, getEvent, listEvents, putEvent, recordPublished };
