/**
 * Event items (docs/internals.md "Main table"): `EVT#<id>` / `EVT`, listed per tenant by time through
 * gsi1 (`TENANT#<tenantId>#EVT`, `<createdAt>#<id>`). Events live 30 days (`expiresAt`).
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import { compositeKey, type Page, type StoreKey, startingAt } from './table.js';

/** The event as published on SNS and POSTed to webhooks. */
interface HeraldEvent {
  readonly id: string;
  readonly type: string;
  readonly tenantId: string;
  readonly createdAt: string;
  /** The catalog schema version `data` was validated against; absent when the type has no schema. */
  readonly schemaVersion?: number;
  readonly data: Record<string, unknown>;
}

/** `api` for POST /v1/events, `job:<name>` for follow-up events emitted by a job, `herald` for operational events. */
type EventSource = 'api' | 'herald' | `job:${string}`;

interface StoredEvent extends HeraldEvent {
  readonly source: string;
}

const EVENT_RETENTION_SECONDS = 30 * 24 * 60 * 60;

function keyOf(id: string): StoreKey {
  return { pk: compositeKey('EVT', id), sk: 'EVT' };
}

function toStored(item: Record<string, unknown>): StoredEvent {
  return {
    id: String(item.id),
    type: String(item.type),
    tenantId: String(item.tenantId),
    createdAt: String(item.createdAt),
    ...(typeof item.schemaVersion === 'number' ? { schemaVersion: item.schemaVersion } : {}),
    data: (item.data ?? {}) as Record<string, unknown>,
    source: String(item.source ?? 'api'),
  };
}

/**
 * Records the event once. An existing item with the same id is success (a job retried after a crash
 * re-emits its deterministic follow-up id); answers whether this call created it.
 */
async function putEvent(event: HeraldEvent, source: EventSource): Promise<boolean> {
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
          data: event.data,
          source,
          expiresAt: Math.floor(Date.parse(event.createdAt) / 1000) + EVENT_RETENTION_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

async function getEvent(id: string): Promise<StoredEvent | undefined> {
  const result = await documentClient().send(new GetCommand({ TableName: config.table(), Key: keyOf(id) }));
  return result.Item === undefined ? undefined : toStored(result.Item);
}

/**
 * The tenant's events in time order. `since` is inclusive and `until` exclusive (ISO-8601 UTC): the
 * sort key is `<createdAt>#<id>`, so `until` itself sorts before every event created at that instant.
 */
async function listEvents(
  tenantId: string,
  options: { limit: number; startKey?: StoreKey; since?: string; until?: string },
): Promise<Page<StoredEvent>> {
  const values: Record<string, string> = { ':pk': compositeKey('TENANT', tenantId, 'EVT') };
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
  const result = await startingAt(options.startKey, () =>
    documentClient().send(
      new QueryCommand({
        TableName: config.table(),
        IndexName: 'gsi1',
        KeyConditionExpression: `gsi1pk = :pk${range}`,
        ExpressionAttributeValues: values,
        Limit: options.limit,
        ExclusiveStartKey: options.startKey,
      }),
    ),
  );
  return {
    items: (result.Items ?? []).map(toStored),
    ...(result.LastEvaluatedKey ? { lastEvaluatedKey: result.LastEvaluatedKey as StoreKey } : {}),
  };
}

/** The event body as published and delivered: the five contract fields, and `schemaVersion` when set. */
function eventBody(event: HeraldEvent): HeraldEvent {
  return {
    id: event.id,
    type: event.type,
    tenantId: event.tenantId,
    createdAt: event.createdAt,
    ...(event.schemaVersion !== undefined ? { schemaVersion: event.schemaVersion } : {}),
    data: event.data,
  };
}

export type { EventSource, HeraldEvent, StoredEvent };
export { EVENT_RETENTION_SECONDS, eventBody, getEvent, listEvents, putEvent };
