/**
 * Evaluates a parsed filter (pattern.ts) against an event: EventBridge semantics — the fields of an
 * object all match, any condition of an array matches, an array in the event matches when any of its
 * elements does, and the fields of an array's objects are flattened as EventBridge does. Total: it never throws, reads only the event's own properties (no prototype), and
 * runs in time linear in the filter's size times the event's array fan-out.
 */
import {
  type Condition,
  type FieldsNode,
  type FilterNode,
  type LeafNode,
  type Literal,
  parseFilter,
} from './pattern.js';

/** What a filter sees of an event: the envelope fields it may name. */
interface FilterInput {
  readonly type: string;
  readonly tenantId: string;
  readonly data: unknown;
}

/**
 * The field `key` of a value; of an array, the field of each element that has it (EventBridge
 * flattens arrays, so `lines.sku` and `lines.quantity` may come from different elements).
 */
function field(value: unknown, key: string): unknown {
  if (Array.isArray(value)) {
    const found = value.map((element) => field(element, key)).filter((v) => v !== undefined);
    return found.length === 0 ? undefined : found;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function equalsLiteral(expected: Literal, value: unknown): boolean {
  // Numbers compare by value (EventBridge: 5 matches 5.0); everything else by identity of the scalar.
  return value === expected;
}

function scalarMatches(condition: Condition, value: unknown): boolean {
  switch (condition.kind) {
    case 'equals':
      return equalsLiteral(condition.value, value);
    case 'prefix':
      return typeof value === 'string' && value.startsWith(condition.value);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(condition.value);
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === condition.value.toLowerCase();
    case 'numeric':
      return (
        typeof value === 'number' &&
        condition.bounds.every(({ op, value: bound }) => {
          switch (op) {
            case '<':
              return value < bound;
            case '<=':
              return value <= bound;
            case '=':
              return value === bound;
            case '>=':
              return value >= bound;
            case '>':
              return value > bound;
          }
          return false;
        })
      );
    case 'anything-but':
      return !condition.values.some((v) => equalsLiteral(v, value));
    case 'anything-but-prefix':
      return typeof value === 'string' && !value.startsWith(condition.value);
    case 'anything-but-suffix':
      return typeof value === 'string' && !value.endsWith(condition.value);
    case 'exists':
      return false; // decided on the field, before arrays are flattened
  }
}

/** A condition against a value that may be an array (any element) or nested arrays. */
function conditionMatches(condition: Condition, value: unknown): boolean {
  if (condition.kind === 'exists') return condition.value === (value !== undefined);
  if (value === undefined) return false;
  if (Array.isArray(value)) return value.some((element) => conditionMatches(condition, element));
  // An object is never equal to a scalar condition; anything-but of scalars does not match objects either.
  if (typeof value === 'object' && value !== null) return false;
  return scalarMatches(condition, value);
}

function valueListed(values: ReadonlySet<Literal>, value: unknown): boolean {
  if (value === undefined || values.size === 0) return false;
  if (Array.isArray(value)) return value.some((element) => valueListed(values, element));
  return values.has(value as Literal);
}

function leafMatches(leaf: LeafNode, value: unknown): boolean {
  return valueListed(leaf.values, value) || leaf.operators.some((c) => conditionMatches(c, value));
}

function nodeMatches(node: FilterNode, value: unknown): boolean {
  return node.kind === 'leaf' ? leafMatches(node, value) : fieldsMatch(node, value);
}

function fieldsMatch(node: FieldsNode, value: unknown): boolean {
  for (const { key, node: child } of node.fields) {
    if (!nodeMatches(child, field(value, key))) return false;
  }
  return node.anyOf === undefined || node.anyOf.some((alt) => fieldsMatch(alt, value));
}

/** Whether `event` passes `filter`; an endpoint without a filter passes everything. */
function matchesFilter(filter: FieldsNode | undefined, event: FilterInput): boolean {
  if (filter === undefined) return true;
  return fieldsMatch(filter, { type: event.type, tenantId: event.tenantId, data: event.data });
}

/** Parsed filters by the stored object they came from: an endpoint list reused for 5 s parses each once. */
const parsed = new WeakMap<object, FieldsNode | null>();

/**
 * Whether an endpoint with `filter` (as stored, unparsed) wants `event`. A stored filter that no longer
 * parses (a later Herald with tighter limits) passes everything: delivering too much is recoverable,
 * silently dropping is not.
 */
function endpointWants(filter: Record<string, unknown> | undefined, event: FilterInput): boolean {
  if (filter === undefined) return true;
  let node = parsed.get(filter);
  if (node === undefined) {
    const result = parseFilter(filter);
    node = result.ok ? result.filter : null;
    parsed.set(filter, node);
  }
  return node === null || matchesFilter(node, event);
}

export type { FilterInput };
export { endpointWants, matchesFilter };
