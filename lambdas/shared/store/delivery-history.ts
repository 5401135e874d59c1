/**
 * An event's delivery history as the API lists it: its deliveries, and its attempts in endpoint,
 * generation, attempt order — attempt items merged with the first attempts folded into the deliveries
 * (delivery-items.ts) — and an endpoint's deliveries through the list index. Reads only; every write
 * is in deliveries.ts.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import type { AttemptRecord, DeliveryRecord } from '../model.js';
import { attemptSortKey, toAttempt, toDelivery } from './delivery-items.js';
import { compositeKey, type Page, type StoreKey, startingAt } from './table.js';

/** One page of the event's items of one kind (`DLV#` deliveries or `ATT#` attempts), in sort-key order. */
async function queryEvent(
  eventId: string,
  prefix: 'DLV#' | 'ATT#',
  options: { limit?: number; startKey?: StoreKey } = {},
): Promise<Page<Record<string, unknown>>> {
  const result = await startingAt(options.startKey, () =>
    documentClient().send(
      new QueryCommand({
        TableName: config.table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': compositeKey('EVT', eventId), ':prefix': prefix },
        ConsistentRead: true,
        Limit: options.limit,
        ExclusiveStartKey: options.startKey,
      }),
    ),
  );
  return {
    items: result.Items ?? [],
    ...(result.LastEvaluatedKey ? { lastEvaluatedKey: result.LastEvaluatedKey as StoreKey } : {}),
  };
}

async function queryAll(eventId: string, prefix: 'DLV#' | 'ATT#'): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: StoreKey | undefined;
  do {
    const page = await queryEvent(eventId, prefix, startKey ? { startKey } : {});
    items.push(...page.items);
    startKey = page.lastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

/** Every delivery of the event (one per endpoint it went to). */
async function getDeliveries(eventId: string): Promise<DeliveryRecord[]> {
  return (await queryAll(eventId, 'DLV#')).map(toDelivery);
}

interface SortedAttempt {
  readonly sk: string;
  readonly attempt: AttemptRecord;
}

/** The first attempts folded into a delivery item, as the attempt items they stand for. */
function foldedAttempts(delivery: Record<string, unknown>): SortedAttempt[] {
  const map = delivery.firstAttempts;
  if (map === null || typeof map !== 'object') return [];
  return Object.values(map as Record<string, Record<string, unknown>>).map((item) => {
    const attempt = toAttempt(item);
    return { sk: attemptSortKey(attempt.endpointId, attempt.generation, attempt.attempt), attempt };
  });
}

function sortAttempts(items: SortedAttempt[]): SortedAttempt[] {
  const unique = new Map(items.map((a) => [a.sk, a]));
  return [...unique.values()].sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
}

const stored = (item: Record<string, unknown>): SortedAttempt => ({
  sk: String(item.sk),
  attempt: toAttempt(item),
});

/** Every attempt of the event, ordered by endpoint, generation, attempt. */
async function getAttempts(eventId: string): Promise<AttemptRecord[]> {
  const [items, deliveries] = await Promise.all([queryAll(eventId, 'ATT#'), queryAll(eventId, 'DLV#')]);
  return sortAttempts([...items.map(stored), ...deliveries.flatMap(foldedAttempts)]).map((a) => a.attempt);
}

/**
 * One page of the event's attempts, in the same order as getAttempts; `startKey` resumes a page. A
 * page merges attempt items with the first attempts folded into the deliveries; its cursor is the
 * sort key of the last attempt shown, item or folded, so the next page's query starts right after it.
 */
async function listAttempts(
  eventId: string,
  options: { limit: number; startKey?: StoreKey },
): Promise<Page<AttemptRecord>> {
  const after = options.startKey?.sk;
  const [page, deliveries] = await Promise.all([
    queryEvent(eventId, 'ATT#', options),
    queryAll(eventId, 'DLV#'),
  ]);
  // Attempt items past this page's last one are not read yet: folded ones beyond it wait for a later page.
  const bound = page.lastEvaluatedKey?.sk;
  const folded = deliveries
    .flatMap(foldedAttempts)
    .filter((a) => (after === undefined || a.sk > after) && (bound === undefined || a.sk <= bound));
  const merged = sortAttempts([...page.items.map(stored), ...folded]);
  const shown = merged.slice(0, options.limit);
  const last = shown[shown.length - 1];
  const more = merged.length > options.limit || bound !== undefined;
  return {
    items: shown.map((a) => a.attempt),
    ...(more && last !== undefined
      ? { lastEvaluatedKey: { pk: compositeKey('EVT', eventId), sk: last.sk } }
      : {}),
  };
}

export { getAttempts, getDeliveries, listAttempts };
