/**
 * What a registered schema may ask of ingest: parts whose cost grows faster than the payload, or that
 * would escape the meter (schema-meter.ts), are refused at registration with a pointer into the schema.
 * `uniqueItems` compares every pair of items (deep equality), so it is allowed only where `maxItems`
 * bounds the array (22,000 objects pinned ingest for 10 s). `pattern` runs on a linear-time engine
 * (json-schema-engine.ts) whose cost per character grows with the pattern's program: that size is
 * bounded too (validator.ts checks it with the engine). A `$ref` must point at a subschema: Ajv would
 * compile an `enum` value or an example it points into as a schema, one the meter never saw.
 */
import { METER_KEYWORD, SCHEMA_ARRAYS, SCHEMA_MAPS, SCHEMA_VALUED } from './schema-meter.js';

/** The longest array `uniqueItems` may check: ~500,000 pair comparisons at most. */
const MAX_UNIQUE_ITEMS = 1000;

/** The largest RE2 program a pattern may compile to (`^[a-z0-9._-]{1,64}$` is 131 instructions). */
const MAX_PATTERN_INSTRUCTIONS = 2000;

/**
 * Compiling is not metered: it runs once per schema version per container, on its first publish, and
 * grows with the schema (Ajv: ~0.2 ms a subschema, ~1.5 ms a pattern here; docs/benchmarks.md). These
 * bound it, so no schema makes a cold container's first publish time out.
 */
const MAX_SUBSCHEMAS = 1000;
const MAX_PATTERNS = 100;

interface SchemaProblem {
  /** RFC 6901 pointer into the schema. */
  readonly pointer: string;
  readonly message: string;
}

/** A regular expression in a schema: a `pattern` value or a `patternProperties` name. */
interface SchemaPattern {
  readonly pointer: string;
  readonly pattern: string;
}

type SchemaObject = Record<string, unknown>;

const isObject = (value: unknown): value is SchemaObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** A URI fragment percent-decoded; as written when it is not valid percent-encoding (Ajv refuses it). */
function safeDecode(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

/** Calls `visit` on every subschema object of `schema` (the root included), with its pointer. */
function eachSubschema(
  schema: unknown,
  pointer: string,
  visit: (node: SchemaObject, at: string) => void,
): void {
  if (!isObject(schema)) return;
  visit(schema, pointer);
  for (const [key, value] of Object.entries(schema)) {
    const at = `${pointer}/${escapeToken(key)}`;
    if (SCHEMA_VALUED.has(key)) eachSubschema(value, at, visit);
    else if (SCHEMA_ARRAYS.has(key) && Array.isArray(value)) {
      for (const [i, sub] of value.entries()) eachSubschema(sub, `${at}/${i}`, visit);
    } else if (SCHEMA_MAPS.has(key) && isObject(value)) {
      for (const [name, sub] of Object.entries(value))
        eachSubschema(sub, `${at}/${escapeToken(name)}`, visit);
    }
  }
}

/**
 * Whether the JSON pointer `fragment` (`/$defs/a/properties/b`) walks only through subschemas: after a
 * keyword whose value is a subschema comes a subschema, after a map keyword a name, after an array
 * keyword an index.
 */
function pointsAtSubschema(fragment: string): boolean {
  const tokens = fragment.split('/').slice(1).map(unescapeToken);
  for (let i = 0; i < tokens.length; i++) {
    const keyword = tokens[i]!;
    if (SCHEMA_VALUED.has(keyword)) continue;
    if (SCHEMA_MAPS.has(keyword) || SCHEMA_ARRAYS.has(keyword)) {
      if (i + 1 >= tokens.length) return false;
      i++;
      continue;
    }
    return false;
  }
  return true;
}

/** Every place in `schema` that asks for unbounded work per publish, or that the meter cannot see. */
function costlySchemaParts(schema: unknown, pointer = ''): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  let subschemas = 0;
  eachSubschema(schema, pointer, (node, at) => {
    subschemas++;
    if (subschemas === MAX_SUBSCHEMAS + 1) {
      problems.push({
        pointer: at,
        message: `is subschema number ${MAX_SUBSCHEMAS + 1}; a schema may have at most ${MAX_SUBSCHEMAS} (each is compiled on every container's first publish): share subschemas through $defs and $ref`,
      });
    }
    if (node.uniqueItems === true) {
      const max = node.maxItems;
      if (typeof max !== 'number' || max > MAX_UNIQUE_ITEMS) {
        problems.push({
          pointer: `${at}/uniqueItems`,
          message: `"uniqueItems" needs "maxItems" of at most ${MAX_UNIQUE_ITEMS} beside it (it compares every pair of items)`,
        });
      }
    }
    if (METER_KEYWORD in node) {
      problems.push({
        pointer: `${at}/${METER_KEYWORD}`,
        message: `"${METER_KEYWORD}" is reserved for Herald's own use`,
      });
    }
    for (const keyword of ['$ref', '$dynamicRef']) {
      const ref = node[keyword];
      if (typeof ref !== 'string') continue;
      const hash = ref.indexOf('#');
      const fragment = hash === -1 ? '' : safeDecode(ref.slice(hash + 1));
      if (fragment.startsWith('/') && !pointsAtSubschema(fragment)) {
        problems.push({
          pointer: `${at}/${keyword}`,
          message: `"${ref}" must point at a subschema (through $defs, properties, items, allOf ...), not into an enum, const, default or example`,
        });
      }
    }
  });
  const patterns = schemaPatterns(schema, pointer);
  if (patterns.length > MAX_PATTERNS) {
    problems.push({
      pointer: patterns[MAX_PATTERNS]!.pointer,
      message: `is pattern number ${MAX_PATTERNS + 1}; a schema may have at most ${MAX_PATTERNS} (each is compiled on every container's first publish): share them through $defs and $ref, or use enum or format`,
    });
  }
  return problems;
}

/** Every `pattern` and `patternProperties` name in `schema`, with its pointer. */
function schemaPatterns(schema: unknown, pointer = ''): SchemaPattern[] {
  const patterns: SchemaPattern[] = [];
  eachSubschema(schema, pointer, (node, at) => {
    if (typeof node.pattern === 'string') patterns.push({ pointer: `${at}/pattern`, pattern: node.pattern });
    if (isObject(node.patternProperties)) {
      for (const name of Object.keys(node.patternProperties)) {
        patterns.push({ pointer: `${at}/patternProperties/${escapeToken(name)}`, pattern: name });
      }
    }
  });
  return patterns;
}

export type { SchemaPattern, SchemaProblem };
export { costlySchemaParts, MAX_PATTERN_INSTRUCTIONS, schemaPatterns };
