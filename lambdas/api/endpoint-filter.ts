/**
 * An endpoint's payload filter as the management API takes it (adrs/0010): parsed and bounded, then
 * checked against the current schema of every catalogued type the endpoint's `eventTypes` match —
 * exact names through the catalog's cache, wildcard patterns against the whole catalog (Herald's own
 * types and every registered one). A refusal is `400 invalid_filter` with pointers into the filter.
 */
import { BUILT_IN_NAMES } from '../shared/catalog/built-in.js';
import { catalogEntry } from '../shared/catalog/catalog.js';
import { config } from '../shared/config.js';
import { listEventTypes } from '../shared/store/event-types.js';
import type { StoreKey } from '../shared/store/table.js';
import { InvalidFilterError } from '../webhooks/filter/errors.js';
import { type FieldsNode, isPlainObject, parseFilter } from '../webhooks/filter/pattern.js';
import { checkFilter, type FilterWarning, type SubscribedType } from '../webhooks/filter/schema-check.js';
import { matchesAny, matchesEventType } from '../webhooks/matching.js';

interface CheckedFilter {
  readonly filter: Record<string, unknown>;
  readonly parsed: FieldsNode;
  readonly warnings: readonly FilterWarning[];
}

/** Every catalogued, unarchived type name (built-in and registered). */
async function catalogNames(): Promise<string[]> {
  const names = new Set(BUILT_IN_NAMES);
  let startKey: StoreKey | undefined;
  do {
    const page = await listEventTypes({ limit: 100, ...(startKey ? { startKey } : {}) });
    for (const t of page.items) if (!t.archived) names.add(t.name);
    startKey = page.lastEvaluatedKey;
  } while (startKey !== undefined);
  return [...names];
}

/** The types the filter is checked against, and warnings for what it cannot be checked against. */
async function subscribedTypes(
  eventTypes: readonly string[],
): Promise<{ types: SubscribedType[]; warnings: FilterWarning[] }> {
  const exact = eventTypes.filter((p) => !p.includes('*'));
  const wildcards = eventTypes.filter((p) => p.includes('*'));
  const names = new Set(exact);
  if (wildcards.length > 0) {
    for (const name of await catalogNames()) {
      if (wildcards.some((p) => matchesEventType(p, name))) names.add(name);
    }
  }
  const types: SubscribedType[] = [];
  for (const name of names) {
    const entry = await catalogEntry(name);
    if (entry?.archived === true) continue;
    types.push(entry?.schema !== undefined ? { name, schema: entry.schema } : { name });
  }
  // On a deployment that accepts unregistered types, a wildcard may also deliver types no schema describes.
  const warnings: FilterWarning[] = config.strictEventTypes()
    ? []
    : wildcards.map((p) => ({
        eventType: p,
        message: `${p} also matches types not in the catalog; the filter is not checked against those`,
      }));
  return { types, warnings };
}

/** Parses and checks `value` for an endpoint of `tenantId` subscribed to `eventTypes`; throws `invalid_filter`. */
async function checkedFilter(
  value: unknown,
  tenantId: string,
  eventTypes: readonly string[],
): Promise<CheckedFilter> {
  if (!isPlainObject(value)) {
    throw new InvalidFilterError('"filter" must be an object (an event pattern) or null', [
      { pointer: '', message: 'must be an object, e.g. {"data": {"currency": ["EUR"]}}' },
    ]);
  }
  const parsed = parseFilter(value);
  if (!parsed.ok) throw new InvalidFilterError('"filter" is not a valid filter; see "errors"', parsed.errors);
  const { types, warnings } = await subscribedTypes(eventTypes);
  const result = checkFilter(parsed.filter, {
    tenantId,
    types,
    subscribes: (type) => matchesAny(eventTypes, type),
  });
  if (result.errors.length > 0) {
    throw new InvalidFilterError(
      '"filter" cannot match the events this endpoint subscribes to, as their schemas describe them; see "errors"',
      result.errors,
    );
  }
  return { filter: value, parsed: parsed.filter, warnings: [...result.warnings, ...warnings] };
}

export type { CheckedFilter };
export { checkedFilter };
