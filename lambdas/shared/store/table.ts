/**
 * Types every store module shares: the main table's primary key (`pk`, `sk`, and on gsi1 queries
 * `gsi1pk`, `gsi1sk` — docs/internals.md "Main table") and one page of a query.
 */
import { GetCommand, QueryCommand, type UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../aws-clients.js';
import { config } from '../config.js';
import { InvalidRequestError } from '../errors.js';

/** A DynamoDB key as the document client sees it: attribute name → string value. */
type StoreKey = Record<string, string>;

/** One page of a query; `lastEvaluatedKey` is where the next page starts (absent on the last page). */
interface Page<T> {
  readonly items: T[];
  readonly lastEvaluatedKey?: StoreKey;
}

/** A conditional write or update whose condition did not hold (DynamoDB's ConditionalCheckFailedException). */
function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Runs a conditional update; false when its condition failed (another writer got there first). */
async function conditionally(command: UpdateCommand): Promise<boolean> {
  try {
    await documentClient().send(command);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export type { Page, StoreKey };

/**
 * Runs a query that starts at a client's cursor. A forged or stale start key is refused by DynamoDB
 * with a ValidationException (wrong attributes, another partition, oversized values): that is the
 * client's mistake, so it becomes a 400 naming `cursor` rather than a 500 and an error log.
 */
async function startingAt<T>(startKey: StoreKey | undefined, query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if (startKey !== undefined && error instanceof Error && error.name === 'ValidationException') {
      throw new InvalidRequestError('"cursor" is not a cursor this API returned', {
        detail: { field: 'cursor' },
      });
    }
    throw error;
  }
}

/**
 * One component of a composite key, escaped so that the `#` separator never occurs inside it: `%`
 * becomes `%25`, then `#` becomes `%23`. Escaping is injective, so `compositeKey` never maps two
 * different component lists to one key (tenant `a#b` + order `c` ≠ tenant `a` + order `b#c`). Ids,
 * tenant ids (docs/api.md pattern) and ISO times contain neither character: their keys are unchanged.
 */
function keyPart(value: string): string {
  return value.replaceAll('%', '%25').replaceAll('#', '%23');
}

/** `a#b#c` from escaped components; literal segments such as `TENANT` or `EVT` pass through as they are. */
function compositeKey(...parts: readonly string[]): string {
  return parts.map(keyPart).join('#');
}

/** Concurrent GetItems per list page (a page holds at most 100 items). */
const FETCH_CONCURRENCY = 25;

/**
 * The full items behind a list index page, strongly consistent, in the index's order. The index
 * projects only keys and `type` (lib/tables.ts), so that a delivery's state updates do not write it.
 * One GetItem per item (what it bills equals a BatchGetItem's, and no role needs a new action); an
 * item deleted since the index saw it, or no longer in partition `gsi1pk` (a replaced event), is left out.
 */
async function fullItems(
  gsi1pk: string,
  keys: readonly Record<string, unknown>[],
): Promise<Record<string, unknown>[]> {
  const items: Array<Record<string, unknown> | undefined> = new Array(keys.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < keys.length; i = next++) {
      const key = keys[i] as Record<string, unknown>;
      const result = await documentClient().send(
        new GetCommand({ TableName: config.table(), Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }),
      );
      items[i] = result.Item;
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, keys.length) }, worker));
  return items.filter(
    (item): item is Record<string, unknown> => item !== undefined && item.gsi1pk === gsi1pk,
  );
}

/**
 * One page of a gsi1 partition (`gsi1pk = pk`) on the list index, starting at a client's cursor
 * (refused as 400 when forged, see `startingAt`), then its full items (`fullItems`). `newestFirst`
 * reads gsi1sk (`<createdAt>#<id>`) backwards. `filter` is applied on the index (it may only name
 * `type`, the one projected attribute), so a page may hold fewer than `limit` items.
 */
async function queryGsi1Page(
  pk: string,
  options: {
    limit: number;
    startKey?: StoreKey;
    newestFirst?: boolean;
    /** A range condition on gsi1sk, appended to `gsi1pk = :pk` (e.g. ` AND gsi1sk >= :since`). */
    range?: string;
    filter?: { expression: string; names: Record<string, string> };
    values?: Record<string, string>;
  },
): Promise<Page<Record<string, unknown>>> {
  const result = await startingAt(options.startKey, () =>
    documentClient().send(
      new QueryCommand({
        TableName: config.table(),
        IndexName: config.listIndex(),
        KeyConditionExpression: `gsi1pk = :pk${options.range ?? ''}`,
        ...(options.filter !== undefined
          ? { FilterExpression: options.filter.expression, ExpressionAttributeNames: options.filter.names }
          : {}),
        ExpressionAttributeValues: { ...options.values, ':pk': pk },
        ...(options.newestFirst === true ? { ScanIndexForward: false } : {}),
        Limit: options.limit,
        ExclusiveStartKey: options.startKey,
      }),
    ),
  );
  return {
    items: await fullItems(pk, result.Items ?? []),
    ...(result.LastEvaluatedKey ? { lastEvaluatedKey: result.LastEvaluatedKey as StoreKey } : {}),
  };
}

export { compositeKey, conditionally, isConditionFailure, keyPart, queryGsi1Page, startingAt };
