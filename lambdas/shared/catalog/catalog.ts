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
import type { PointerMessage } from './errors.js';
import { EventTypeArchivedError, SchemaValidationFailedError, UnknownEventTypeError } from './errors.js';
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
): Promise<PointerMessage[]> {
  const rounded = scanJson(dataJson)
    .numbers.filter((n) => !survivesRoundTrip(n.text))
    .slice(0, MAX_PROBED_NUMBERS);
  const problems: PointerMessage[] = [];
  for (const number of rounded) {
    const pointer = `/data${number.pointer}`;
    for (const probe of PROBES) {
      const errors = await validateValue(cacheKey, schema, withValueAt(data, number.pointer, probe), '/data');
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
 * `unknown_event_type`.
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
  if (entry.schema === undefined) return undefined;
  const errors = await validateValue(entry.cacheKey, entry.schema, data, '/data');
  if (errors.length > 0) {
    throw new SchemaValidationFailedError(
      `"data" does not match the schema of ${type} (version ${entry.version}); see "errors"`,
      errors,
      { detail: { schemaVersion: entry.version } },
    );
  }
  if (dataJson !== undefined) {
    const rounded = await roundedConstrainedNumbers(entry.cacheKey, entry.schema, data, dataJson);
    if (rounded.length > 0) {
      throw new SchemaValidationFailedError(
        `"data" has numbers the schema of ${type} constrains but would check rounded; see "errors"`,
        rounded,
        { detail: { schemaVersion: entry.version } },
      );
    }
  }
  return entry.version;
}

/** Forgets cached entries (this container's writes through the management routes, and tests). */
function forgetCatalogEntry(name?: string): void {
  if (name === undefined) cache?.clear();
  else cache?.delete(name);
}

export type { CatalogEntry };
export { catalogEntry, forgetCatalogEntry, validateAgainstCatalog };
