/**
 * Types every store module shares: the main table's primary key (`pk`, `sk`, and on gsi1 queries
 * `gsi1pk`, `gsi1sk` — docs/internals.md "Main table") and one page of a query.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
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

/**
 * One page of a gsi1 partition (`gsi1pk = pk`), starting at a client's cursor (refused as 400 when
 * forged, see `startingAt`). `newestFirst` reads gsi1sk (`<createdAt>#<id>`) backwards.
 */
async function queryGsi1Page(
  pk: string,
  options: { limit: number; startKey?: StoreKey; newestFirst?: boolean },
): Promise<Page<Record<string, unknown>>> {
  const result = await startingAt(options.startKey, () =>
    documentClient().send(
      new QueryCommand({
        TableName: config.table(),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ...(options.newestFirst === true ? { ScanIndexForward: false } : {}),
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

export { compositeKey, keyPart, queryGsi1Page, startingAt };
