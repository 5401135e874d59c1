/**
 * Free-form objects made explicit for client generators: in JSON Schema `{ "type": "object" }` already
 * allows any member, but openapi-typescript reads it as `Record<string, never>`, so a generated client
 * could not type a registered event's data. Adding `additionalProperties: true` where an object schema
 * names no members changes nothing a validator accepts. Pure: answers a copy.
 */

type JsonSchema = Record<string, unknown>;

/** Keywords whose value is one subschema. */
const ONE = [
  'additionalProperties',
  'items',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
];
/** Keywords whose value is a list of subschemas. */
const LIST = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
/** Keywords whose value maps names to subschemas. */
const MAP = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];

/** Keywords that decide which members an object may have; with any of them present it is not free-form. */
const MEMBER_KEYWORDS = ['properties', 'patternProperties', 'additionalProperties', 'unevaluatedProperties'];

const isSchema = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isObjectType(type: unknown): boolean {
  return type === 'object' || (Array.isArray(type) && type.includes('object'));
}

function open(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  for (const key of ONE) if (isSchema(out[key])) out[key] = open(out[key]);
  for (const key of LIST) {
    const list = out[key];
    if (Array.isArray(list)) out[key] = list.map((s) => (isSchema(s) ? open(s) : s));
  }
  for (const key of MAP) {
    const map = out[key];
    if (isSchema(map))
      out[key] = Object.fromEntries(Object.entries(map).map(([k, s]) => [k, isSchema(s) ? open(s) : s]));
  }
  if (isObjectType(out.type) && !MEMBER_KEYWORDS.some((k) => k in out)) out.additionalProperties = true;
  return out;
}

/**
 * `schema` with `additionalProperties: true` on every object subschema that names no members. A schema
 * using `unevaluatedProperties` anywhere is answered unchanged: there `additionalProperties: true` in a
 * subschema would mark members as evaluated and let through what it refuses today.
 */
function explicitOpenObjects(schema: JsonSchema): JsonSchema {
  if (JSON.stringify(schema).includes('"unevaluatedProperties"')) return schema;
  return open(schema);
}

export { explicitOpenObjects };
