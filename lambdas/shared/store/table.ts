/**
 * Types every store module shares: the main table's primary key (`pk`, `sk`, and on gsi1 queries
 * `gsi1pk`, `gsi1sk` — docs/internals.md "Main table") and one page of a query.
 */

/** A DynamoDB key as the document client sees it: attribute name → string value. */
type StoreKey = Record<string, string>;

/** One page of a query; `lastEvaluatedKey` is where the next page starts (absent on the last page). */
interface Page<T> {
  readonly items: T[];
  readonly lastEvaluatedKey?: StoreKey;
}

export type { Page, StoreKey };
