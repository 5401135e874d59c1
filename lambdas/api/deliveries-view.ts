/**
 * Read-only views of delivery and attempt items for the events routes. The items are written by the
 * webhooks part; their layout is pinned in docs/internals.md ("Main table": `EVT#<eventId>` with sort
 * keys `DLV#<endpointId>` and `ATT#<endpointId>#<gen>#<attempt>`), which is all this module relies on.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../shared/aws-clients.js';
import { config } from '../shared/config.js';
import type { Page, StoreKey } from '../shared/store/keys.js';

type DeliveryState = 'pending' | 'delivered' | 'retrying' | 'failed' | 'skipped';

interface DeliverySummary {
  readonly endpointId: string;
  readonly state: DeliveryState;
  readonly generation: number;
  readonly attempts: number;
  readonly lastStatusCode?: number;
  readonly lastError?: string;
  readonly nextAttemptAt?: string;
  readonly deliveredAt?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface AttemptView {
  readonly endpointId: string;
  readonly generation: number;
  readonly attempt: number;
  readonly at: string;
  readonly statusCode?: number;
  readonly errorClass?: string;
  readonly durationMs: number;
  readonly outcome: string;
  readonly nextAttemptAt?: string;
}

function pick<T extends object>(item: Record<string, unknown>, fields: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (item[field] !== undefined) out[field] = item[field];
  return out as Partial<T>;
}

async function queryEvent(
  eventId: string,
  prefix: 'DLV#' | 'ATT#',
  options: { limit?: number; startKey?: StoreKey } = {},
): Promise<Page<Record<string, unknown>>> {
  const result = await documentClient().send(
    new QueryCommand({
      TableName: config.table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `EVT#${eventId}`, ':prefix': prefix },
      Limit: options.limit,
      ExclusiveStartKey: options.startKey,
    }),
  );
  return {
    items: result.Items ?? [],
    ...(result.LastEvaluatedKey ? { lastEvaluatedKey: result.LastEvaluatedKey as StoreKey } : {}),
  };
}

/** One summary per endpoint the event went to (all pages; an event has few endpoints). */
async function deliveriesOf(eventId: string): Promise<DeliverySummary[]> {
  const summaries: DeliverySummary[] = [];
  let startKey: StoreKey | undefined;
  do {
    const page = await queryEvent(eventId, 'DLV#', startKey ? { startKey } : {});
    for (const item of page.items) {
      summaries.push(
        pick<DeliverySummary>(item, [
          'endpointId',
          'state',
          'generation',
          'attempts',
          'lastStatusCode',
          'lastError',
          'nextAttemptAt',
          'deliveredAt',
          'createdAt',
          'updatedAt',
        ]) as DeliverySummary,
      );
    }
    startKey = page.lastEvaluatedKey;
  } while (startKey !== undefined);
  return summaries;
}

async function attemptsOf(
  eventId: string,
  options: { limit: number; startKey?: StoreKey },
): Promise<Page<AttemptView>> {
  const page = await queryEvent(eventId, 'ATT#', options);
  return {
    items: page.items.map(
      (item) =>
        pick<AttemptView>(item, [
          'endpointId',
          'generation',
          'attempt',
          'at',
          'statusCode',
          'errorClass',
          'durationMs',
          'outcome',
          'nextAttemptAt',
        ]) as AttemptView,
    ),
    ...(page.lastEvaluatedKey ? { lastEvaluatedKey: page.lastEvaluatedKey } : {}),
  };
}

export type { AttemptView, DeliveryState, DeliverySummary };
export { attemptsOf, deliveriesOf };
