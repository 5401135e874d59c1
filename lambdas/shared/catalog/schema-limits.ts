/**
 * What a registered schema may ask of ingest: keywords whose cost grows faster than the payload are
 * refused at registration, with a pointer into the schema. `uniqueItems` compares every pair of items
 * (deep equality), so it is allowed only where `maxItems` bounds the array (22,000 objects pinned
 * ingest for 10 s). `pattern` needs no rule here: it runs on a linear-time engine (json-schema-engine.ts).
 */

/** The longest array `uniqueItems` may check: ~500,000 pair comparisons at most. */
const MAX_UNIQUE_ITEMS = 1000;

/** Keywords whose value maps names to subschemas: a member named `uniqueItems` there is a name. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

interface SchemaProblem {
  /** RFC 6901 pointer into the schema. */
  readonly pointer: string;
  readonly message: string;
}

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Every place in `schema` that asks for unbounded work per publish (empty when none). */
function costlySchemaParts(schema: unknown, pointer = ''): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const visit = (node: unknown, at: string, isMap: boolean): void => {
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) visit(item, `${at}/${i}`, false);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (!isMap && record.uniqueItems === true) {
      const max = record.maxItems;
      if (typeof max !== 'number' || max > MAX_UNIQUE_ITEMS) {
        problems.push({
          pointer: `${at}/uniqueItems`,
          message: `"uniqueItems" needs "maxItems" of at most ${MAX_UNIQUE_ITEMS} beside it (it compares every pair of items)`,
        });
      }
    }
    for (const [key, value] of Object.entries(record)) {
      visit(value, `${at}/${escapeToken(key)}`, !isMap && SCHEMA_MAPS.has(key));
    }
  };
  visit(schema, pointer, false);
  return problems;
}

export type { SchemaProblem };
export { costlySchemaParts };
