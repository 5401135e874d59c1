/**
 * The work a schema asks of ingest, metered (issue 20, finding 3). Limits on single keywords
 * (schema-limits.ts) cannot bound what subschemas do together: `$ref`s that fan out
 * (`allOf: [{$ref: a1}, {$ref: a1}]`, 24 levels deep: 16 M evaluations of `{}`), a recursive `oneOf`
 * that doubles per level of the data, an `anyOf` of 5,000 branches over 50,000 items. So the compiled
 * copy of every schema carries a meter: each subschema, each time it is applied to a value, charges its
 * checks to the event's budget before its keywords run, and validation stops when the budget is spent.
 *
 * `meteredSchema` is the pure half: a copy of the schema with `METER_KEYWORD` written into every
 * subschema, its value the checks one evaluation costs. The engine (json-schema-engine.ts) turns that
 * keyword into the charge. A check is about one comparison: a keyword, an enum value's node, a
 * required name; string keywords charge per character of the value, object keywords per member,
 * `uniqueItems` per pair of items (docs/benchmarks.md "Schema validation worst cases" has the time).
 */

/**
 * The checks one event's validation may spend, the rounding probes of catalog.ts included: a base, and
 * more per character of `data`'s JSON text, so a batch of 100 events (4 MiB at most) is bounded too
 * while each event's budget depends on itself alone. Spent, validation stops and the publish answers 422
 * `validation_too_costly` (docs/benchmarks.md "Schema validation, worst cases" has the time this buys).
 */
const BASE_CHECKS = 1_000_000;
const CHECKS_PER_CHAR = 48;

function checksBudgetFor(dataChars: number): number {
  return BASE_CHECKS + CHECKS_PER_CHAR * dataChars;
}

/**
 * Errors one validate function may hold before validation stops. With `allErrors`, a failing `anyOf`
 * keeps an error per branch per item: a million kept errors took over a second to collect, and at most
 * 20 are answered anyway.
 */
const MAX_COLLECTED_ERRORS = 10_000;

/** The keyword written into each subschema of the compiled copy; a registered schema may not use it. */
const METER_KEYWORD = 'x-herald-checks';

/** Checks per character of a string checked by a `format` (the slowest, `uri`, ~70 ns per character). */
const FORMAT_CHAR_CHECKS = 16;
/** Checks per character for `format: "regex"`, which compiles the string as a regular expression. */
const REGEX_FORMAT_CHAR_CHECKS = 128;

/** Checks per evaluation of a subschema, and per keyword in it (each may record an error). */
const EVALUATION_CHECKS = 4;
const KEYWORD_CHECKS = 3;
/** Checks per object or array compared by `enum` or `const` (a deep comparison's set-up), and per node. */
const COMPARED_VALUE_CHECKS = 40;
const COMPARED_NODE_CHECKS = 4;

/**
 * What one evaluation of a subschema charges: fixed checks, plus terms that depend on the value.
 * Patterns are charged by the engine, which knows their compiled size (json-schema-engine.ts).
 */
interface MeterCharge {
  /** RFC 6901 pointer of this subschema in the registered schema (Ajv's own paths restart at each `$ref`). */
  readonly at: string;
  /** Checks independent of the value: its keywords, enum and const values, required names. */
  readonly checks: number;
  /** Checks per character when the value is a string (format, minLength, maxLength). */
  readonly perChar?: number;
  /** The `pattern` a string value is matched against. */
  readonly pattern?: string;
  /** Checks per member when the value is an object (a loop over its members). */
  readonly perMember?: number;
  /** Patterns each member name is matched against (`patternProperties`). */
  readonly namePatterns?: readonly string[];
  /** `uniqueItems`: items hashed (scalar item types) or compared pairwise (deep). */
  readonly unique?: 'scalar' | 'deep';
}

/** Keywords whose value is one subschema. */
const SCHEMA_VALUED = new Set([
  'additionalProperties',
  'propertyNames',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'items',
  'unevaluatedProperties',
  'unevaluatedItems',
  'contentSchema',
]);
/** Keywords whose value is an array of subschemas. */
const SCHEMA_ARRAYS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
/** Keywords whose value maps names to subschemas (`dependencies` values may also be name lists). */
const SCHEMA_MAPS = new Set([
  'properties',
  'patternProperties',
  '$defs',
  'definitions',
  'dependentSchemas',
  'dependencies',
]);
const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null']);

type SchemaObject = Record<string, unknown>;

const isObject = (value: unknown): value is SchemaObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Nodes of a JSON value: what a deep comparison with it may visit. */
function nodes(value: unknown): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    count++;
    if (Array.isArray(node)) stack.push(...node);
    else if (isObject(node)) stack.push(...Object.values(node));
  }
  return count;
}

/** A scalar is one `===`; an object or array, a deep comparison. */
function comparedChecks(value: unknown): number {
  return value !== null && typeof value === 'object'
    ? COMPARED_VALUE_CHECKS + COMPARED_NODE_CHECKS * nodes(value)
    : 1;
}

function scalarItems(schema: SchemaObject): boolean {
  const items = schema.items;
  if (!isObject(items)) return false;
  const types = Array.isArray(items.type) ? items.type : [items.type];
  return types.length > 0 && types.every((t) => typeof t === 'string' && SCALAR_TYPES.has(t));
}

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** What one evaluation of `schema` (one subschema object, its subschemas aside) charges. */
function chargeOf(schema: SchemaObject, at: string): MeterCharge {
  let checks = EVALUATION_CHECKS + KEYWORD_CHECKS * Object.keys(schema).length;
  if (Array.isArray(schema.enum)) for (const value of schema.enum) checks += comparedChecks(value);
  if ('const' in schema) checks += comparedChecks(schema.const);
  if (Array.isArray(schema.required)) checks += schema.required.length;
  if (isObject(schema.dependentRequired)) checks += nodes(schema.dependentRequired);
  if (isObject(schema.properties)) checks += Object.keys(schema.properties).length;
  if (isObject(schema.dependentSchemas)) checks += Object.keys(schema.dependentSchemas).length;
  if (isObject(schema.dependencies)) checks += nodes(schema.dependencies);
  // Ajv counts code points for minLength/maxLength; ajv-formats' regular expressions read the string
  // at tens of ns per character (`uri`), and `regex` compiles it.
  const perChar =
    (schema.minLength !== undefined ? 1 : 0) +
    (schema.maxLength !== undefined ? 1 : 0) +
    (schema.format === undefined
      ? 0
      : schema.format === 'regex'
        ? REGEX_FORMAT_CHAR_CHECKS
        : FORMAT_CHAR_CHECKS);
  const namePatterns = isObject(schema.patternProperties) ? Object.keys(schema.patternProperties) : [];
  const loopsMembers =
    namePatterns.length > 0 ||
    ['additionalProperties', 'unevaluatedProperties', 'propertyNames', 'minProperties', 'maxProperties'].some(
      (k) => schema[k] !== undefined,
    );
  return {
    at,
    checks,
    ...(perChar > 0 ? { perChar } : {}),
    ...(typeof schema.pattern === 'string' ? { pattern: schema.pattern } : {}),
    ...(loopsMembers ? { perMember: 1 } : {}),
    ...(namePatterns.length > 0 ? { namePatterns } : {}),
    ...(schema.uniqueItems === true ? { unique: scalarItems(schema) ? 'scalar' : 'deep' } : {}),
  };
}

/** A copy of `schema` with a meter in every subschema; enum, const and annotations are left as they are. */
function meteredSchema<T>(schema: T): T {
  const visit = (node: unknown, at: string): unknown => {
    if (!isObject(node)) return node;
    const copy: SchemaObject = {};
    for (const [key, value] of Object.entries(node)) {
      const here = `${at}/${escapeToken(key)}`;
      if (SCHEMA_VALUED.has(key)) copy[key] = visit(value, here);
      else if (SCHEMA_ARRAYS.has(key) && Array.isArray(value))
        copy[key] = value.map((sub, i) => visit(sub, `${here}/${i}`));
      else if (SCHEMA_MAPS.has(key) && isObject(value))
        copy[key] = Object.fromEntries(
          Object.entries(value).map(([name, sub]) => [name, visit(sub, `${here}/${escapeToken(name)}`)]),
        );
      else copy[key] = value;
    }
    copy[METER_KEYWORD] = chargeOf(node, at);
    return copy;
  };
  return visit(schema, '') as T;
}

export type { MeterCharge };
export {
  BASE_CHECKS,
  CHECKS_PER_CHAR,
  checksBudgetFor,
  MAX_COLLECTED_ERRORS,
  METER_KEYWORD,
  meteredSchema,
  nodes,
  SCHEMA_ARRAYS,
  SCHEMA_MAPS,
  SCHEMA_VALUED,
};
