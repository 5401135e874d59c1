/**
 * The catalog as ingest sees it: which schema (if any) a type's `data` must match. Herald's own types
 * come from the bundle; a registered type is read from DynamoDB at most once per type per
 * `HERALD_CATALOG_CACHE_SECONDS` (default 5) per container, absent types included, so a publish adds no
 * DynamoDB read on a warm container. The price is bounded staleness: a new schema version, a new type
 * or an archive takes effect at publish within that many seconds (docs/api.md).
 */
import { config } from '../config.js';
import { scanJson, survivesRoundTrip } from '../json-members.js';
import { getEventType } from '../store/event-types.js';
import { TtlCache } from '../ttl-cache.js';
import { builtInType } from './built-in.js';
import { type ChecksBudget, ChecksSpent, newBudget } from './checks-budget.js';
import type { PointerMessage } from './errors.js';
import {
  EventTypeArchivedError,
  SchemaValidationFailedError,
  UnknownEventTypeError,
  ValidationTooCostlyError,
} from './errors.js';
import { BASE_CHECKS, CHECKS_PER_CHAR, MAX_COLLECTED_ERRORS } from './schema-meter.js';
import { type JsonSchema, validateValue } from './validator.js';

/** Numbers past double precision probed per publish at most (they are rare: usually none). */
const MAX_PROBED_NUMBERS = 20;
/** Values a constraint on a number refuses: any type check, and any minimum or maximum. */
const PROBES: readonly unknown[] = ['not a number', 1e308, -1e308];

/** `data` with the value at `pointer` (RFC 6901, '' = data itself) replaced. */
function withValueAt(data: unknown, pointer: string, replacement: unknown): unknown {
  if (pointer === '') return replacement;
  const copy = structuredClone(data) as Record<string, unknown>;
  const tokens = pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: Record<string, unknown> = copy;
  for (const token of tokens.slice(0, -1)) node = node[token] as Record<string, unknown>;
  node[tokens.at(-1)!] = replacement;
  return copy;
}

/**
 * Numbers the validator saw rounded (JSON.parse makes doubles) where the schema constrains them: the
 * schema checked a value other than the one delivered. A number is constrained when some probe put
 * in its place draws an error at its pointer. Unconstrained numbers keep their digits (API.md).
 */
async function roundedConstrainedNumbers(
  cacheKey: string,
  schema: JsonSchema,
  data: unknown,
  dataJson: string,
  budget: ChecksBudget,
): Promise<PointerMessage[]> {
  const rounded = scanJson(dataJson)
    .numbers.filter((n) => !survivesRoundTrip(n.text))
    .slice(0, MAX_PROBED_NUMBERS);
  const problems: PointerMessage[] = [];
  for (const number of rounded) {
    const pointer = `/data${number.pointer}`;
    for (const probe of PROBES) {
      const probed = withValueAt(data, number.pointer, probe);
      const errors = await validateValue(cacheKey, schema, probed, '/data', budget);
      if (errors.some((e) => e.pointer === pointer || e.pointer.startsWith(`${pointer}/`))) {
        problems.push({
          pointer,
          message: `${number.text} has more precision than the schema's checks see (${String(Number(number.text))}); send the value a double holds, or a string`,
        });
        break;
      }
    }
  }
  return problems;
}

/** What publishing needs to know about a type. */
interface CatalogEntry {
  readonly name: string;
  /** 0 when the type has no schema. */
  readonly version: number;
  readonly schema?: JsonSchema;
  readonly archived: boolean;
  /** Identifies the version's compiled validator. */
  readonly cacheKey: string;
}

const MAX_CACHED_TYPES = 1000;
// Built at first use, so the TTL is read from the environment once, at start-up. `null` = not catalogued.
let cache: TtlCache<CatalogEntry | null> | undefined;

function entries(): TtlCache<CatalogEntry | null> {
  cache ??= new TtlCache({ ttlMs: config.catalogCacheSeconds() * 1000, maxEntries: MAX_CACHED_TYPES });
  return cache;
}

/** The catalog entry of `name`, or undefined when it is not in the catalog. */
async function catalogEntry(name: string, now: number = Date.now()): Promise<CatalogEntry | undefined> {
  const builtIn = builtInType(name);
  if (builtIn !== undefined) {
    return {
      name,
      version: builtIn.version,
      schema: builtIn.schema,
      archived: false,
      cacheKey: `builtin:${name}`,
    };
  }
  const cached = entries().get(name, now);
  if (cached !== undefined) return cached ?? undefined;
  const record = await getEventType(name);
  const entry: CatalogEntry | null =
    record === undefined
      ? null
      : {
          name,
          version: record.version,
          ...(record.schema !== undefined ? { schema: record.schema } : {}),
          archived: record.archived,
          cacheKey: `${name}@${record.version}@${record.versionCreatedAt ?? record.createdAt}`,
        };
  entries().set(name, entry, now);
  return entry ?? undefined;
}

/**
 * Checks a published event's `data` against its type's current schema, before anything is stored.
 * Answers the schema version it was validated against (undefined when the type has no schema); throws
 * 400 `schema_validation_failed` with pointers, `event_type_archived`, or — on a strict deployment —
 * `unknown_event_type`; 422 `validation_too_costly` when validation spends the event's budget of checks
 * (schema-meter.ts). `dataJson` is `data` as the producer wrote it: its numbers are checked as written.
 */
async function validateAgainstCatalog(
  type: string,
  data: unknown,
  dataJson?: string,
): Promise<number | undefined> {
  const entry = await catalogEntry(type);
  if (entry === undefined) {
    if (config.strictEventTypes()) {
      throw new UnknownEventTypeError(
        `Event type "${type}" is not in the catalog, and this deployment accepts only catalogued types; register it with POST /v1/event-types`,
        { detail: { field: 'type' } },
      );
    }
    return undefined;
  }
  if (entry.archived) {
    throw new EventTypeArchivedError(`Event type "${type}" is archived and can no longer be published`, {
      detail: { field: 'type' },
    });
  }
  return validateData(entry, data, dataJson);
}

/**
 * `data` checked against `entry`'s schema (the second half of validateAgainstCatalog): the version it
 * was validated against, or undefined when the type has no schema.
 */
async function validateData(
  entry: CatalogEntry,
  data: unknown,
  dataJson?: string,
): Promise<number | undefined> {
  if (entry.schema === undefined) return undefined;
  const text = dataJson ?? JSON.stringify(data);
  const budget = newBudget(text.length);
  try {
    const errors = await validateValue(entry.cacheKey, entry.schema, data, '/data', budget);
    if (errors.length > 0) {
      throw new SchemaValidationFailedError(
        `"data" does not match the schema of ${entry.name} (version ${entry.version}); see "errors"`,
        errors,
        { detail: { schemaVersion: entry.version } },
      );
    }
    const rounded = await roundedConstrainedNumbers(entry.cacheKey, entry.schema, data, text, budget);
    if (rounded.length > 0) {
      throw new SchemaValidationFailedError(
        `"data" has numbers the schema of ${entry.name} constrains but would check rounded; see "errors"`,
        rounded,
        { detail: { schemaVersion: entry.version } },
      );
    }
  } catch (error) {
    if (error instanceof ChecksSpent) throw tooCostly(entry.name, entry.version, error);
    throw error;
  }
  return entry.version;
}

/** The 422 of a validation that stopped before it could say yes or no. */
function tooCostly(type: string, version: number, spent: ChecksSpent): ValidationTooCostlyError {
  const where = `${spent.pointer}${spent.schemaPointer === undefined ? '' : ` (schema ${spent.schemaPointer || '/'})`}`;
  const detail = {
    schemaVersion: version,
    limitName: 'validationChecks',
    limit: spent.limit,
    ...(spent.schemaPointer !== undefined ? { schemaPointer: spent.schemaPointer } : {}),
  };
  if (spent.reason === 'errors') {
    return new ValidationTooCostlyError(
      `Validating "data" against the schema of ${type} (version ${version}) collected more than ${MAX_COLLECTED_ERRORS} errors at once and stopped at ${where}; fix the errors listed (the first found) and send again`,
      spent.errors,
      { detail },
    );
  }
  const why =
    spent.reason === 'stack'
      ? 'the schema recurses without moving into the data'
      : `it needs more than ${spent.limit} checks (${BASE_CHECKS} plus ${CHECKS_PER_CHAR} per character of "data")`;
  return new ValidationTooCostlyError(
    `Validating "data" against the schema of ${type} (version ${version}) stopped at ${where}: ${why}. Send less data, or ask the type's owner for a schema that does less work per value (fewer anyOf/oneOf branches, smaller enums, no $ref applied twice to one value)`,
    [{ pointer: spent.pointer, message: 'validation stopped here: too costly' }],
    { detail },
  );
}

/** Forgets cached entries (this container's writes through the management routes, and tests). */
function forgetCatalogEntry(name?: string): void {
  if (name === undefined) cache?.clear();
  else cache?.delete(name);
}

export type { CatalogEntry };
export { catalogEntry, forgetCatalogEntry, validateAgainstCatalog, validateData };
