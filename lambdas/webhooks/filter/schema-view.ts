/**
 * What a filter needs to know of a JSON Schema (draft 2020-12) along one path: which fields exist,
 * which JSON types and `enum`/`const` values a leaf can have. Local `$ref`s are followed; `anyOf`/
 * `oneOf` are alternatives; `allOf` members, a `$ref` and its sibling keywords all apply at once.
 * Where the schema says nothing (no `type`, no properties), anything is possible and the view errs
 * towards accepting; the one strict reading is a field outside the declared `properties` (without an
 * `additionalProperties` schema), which is "a path the schema does not have". Arrays are seen through
 * their items, as the evaluator flattens them.
 */
import { isPlainObject } from './pattern.js';

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'object' | 'array';

const ALL_TYPES: readonly JsonType[] = ['string', 'number', 'integer', 'boolean', 'null', 'object', 'array'];

type Schema = boolean | Record<string, unknown>;

/** One way a value can be: every member schema applies at once. */
type Conjunction = readonly Record<string, unknown>[];

interface LeafView {
  readonly types: ReadonlySet<JsonType>;
  /** The values the leaf may take when the schema lists them (enum/const); undefined = any. */
  readonly values?: readonly unknown[];
}

const MAX_EXPANSION = 64;
const MAX_ARRAY_NESTING = 4;

/** A schema view rooted at one document, for its local `$ref`s. */
class SchemaView {
  constructor(private readonly root: Schema) {}

  /** The top-level alternatives of the document. */
  rootAlternatives(): Conjunction[] {
    return this.alternatives(this.root);
  }

  private resolveRef(ref: string): Schema | undefined {
    if (!ref.startsWith('#')) return undefined; // remote refs: unknown, treated as any
    const tokens = ref === '#' ? [] : ref.slice(2).split('/');
    let node: unknown = this.root;
    for (const raw of tokens) {
      const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      if (!isPlainObject(node) || !Object.hasOwn(node, token)) return undefined;
      node = node[token];
    }
    return typeof node === 'boolean' || isPlainObject(node) ? node : undefined;
  }

  /** Disjunctive form: a list of alternatives, each a conjunction of plain schema objects. */
  alternatives(schema: Schema, depth = 0): Conjunction[] {
    if (schema === false) return [];
    if (schema === true || depth > MAX_EXPANSION) return [[]];
    const own: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) {
      if (k !== '$ref' && k !== 'allOf' && k !== 'anyOf' && k !== 'oneOf') own[k] = v;
    }
    let result: Conjunction[] = [[own]];
    const and = (parts: Conjunction[]) => {
      const next: Conjunction[] = [];
      for (const left of result) for (const right of parts) next.push([...left, ...right]);
      result = next.slice(0, MAX_EXPANSION);
    };
    if (typeof schema.$ref === 'string') {
      const target = this.resolveRef(schema.$ref);
      and(target === undefined ? [[]] : this.alternatives(target, depth + 1));
    }
    if (Array.isArray(schema.allOf)) {
      for (const member of schema.allOf as Schema[]) and(this.alternatives(member, depth + 1));
    }
    for (const key of ['anyOf', 'oneOf'] as const) {
      const branches = schema[key];
      if (Array.isArray(branches)) {
        and((branches as Schema[]).flatMap((b) => this.alternatives(b, depth + 1)));
      }
    }
    return result;
  }

  typesOf(conj: Conjunction): Set<JsonType> {
    let types = new Set<JsonType>(ALL_TYPES);
    for (const member of conj) {
      let declared: JsonType[] | undefined;
      if (typeof member.type === 'string') declared = [member.type as JsonType];
      else if (Array.isArray(member.type)) declared = member.type as JsonType[];
      if (Object.hasOwn(member, 'const')) declared = [jsonTypeOf(member.const)];
      else if (Array.isArray(member.enum)) declared = (member.enum as unknown[]).map(jsonTypeOf);
      if (declared === undefined) continue;
      // "number" admits integers; "integer" only those.
      const allowed = new Set(declared.flatMap((t) => (t === 'number' ? ['number', 'integer'] : [t])));
      types = new Set([...types].filter((t) => allowed.has(t)));
    }
    return types;
  }

  valuesOf(conj: Conjunction): unknown[] | undefined {
    let values: unknown[] | undefined;
    for (const member of conj) {
      const listed = Object.hasOwn(member, 'const')
        ? [member.const]
        : Array.isArray(member.enum)
          ? (member.enum as unknown[])
          : undefined;
      if (listed === undefined) continue;
      values = values === undefined ? listed : values.filter((v) => listed.some((w) => sameJson(v, w)));
    }
    return values;
  }

  /** The alternatives an array's elements can take (items and prefixItems of every member). */
  private itemAlternatives(conj: Conjunction): Conjunction[] {
    let result: Conjunction[] = [[]];
    for (const member of conj) {
      const parts: Schema[] = [];
      if (Array.isArray(member.prefixItems)) parts.push(...(member.prefixItems as Schema[]));
      if (member.items !== undefined) parts.push(member.items as Schema);
      if (parts.length === 0) continue;
      const alts = parts.flatMap((p) => this.alternatives(p));
      const next: Conjunction[] = [];
      for (const left of result) for (const right of alts) next.push([...left, ...right]);
      result = next.slice(0, MAX_EXPANSION);
    }
    return result;
  }

  /** An alternative, or — when it may be an array — also its elements, as the evaluator flattens. */
  flatten(alts: readonly Conjunction[], nesting = 0): Conjunction[] {
    const out: Conjunction[] = [];
    for (const conj of alts) {
      const types = this.typesOf(conj);
      if (types.size > 0) out.push(conj);
      if (types.has('array') && nesting < MAX_ARRAY_NESTING) {
        out.push(...this.flatten(this.itemAlternatives(conj), nesting + 1));
      }
    }
    return out.slice(0, MAX_EXPANSION);
  }

  /**
   * The alternatives of field `key` of an object alternative: undefined when a member declares its
   * fields and this is not one of them (a typo far more often than a use of an open object).
   */
  field(conj: Conjunction, key: string): Conjunction[] | undefined {
    if (!this.typesOf(conj).has('object')) return undefined;
    const declared: Schema[] = [];
    for (const member of conj) {
      const properties = isPlainObject(member.properties) ? member.properties : undefined;
      const patterns = isPlainObject(member.patternProperties) ? member.patternProperties : undefined;
      const additional = member.additionalProperties;
      if (properties === undefined && patterns === undefined && additional === undefined) continue;
      const found: Schema[] = [];
      if (properties !== undefined && Object.hasOwn(properties, key)) found.push(properties[key] as Schema);
      for (const [source, schema] of Object.entries(patterns ?? {})) {
        if (safeRegexTest(source, key)) found.push(schema as Schema);
      }
      if (found.length === 0) {
        // Declared properties without this one and no schema for the rest: the path is not in the schema.
        if (additional === undefined || additional === false) return undefined;
        found.push(additional as Schema);
      }
      declared.push(...found);
    }
    if (declared.length === 0) return [[]];
    return this.alternatives({ allOf: declared });
  }

  /** Declared field names of an alternative (for "did you mean"). */
  fieldNames(conj: Conjunction): string[] {
    return conj.flatMap((m) => (isPlainObject(m.properties) ? Object.keys(m.properties) : []));
  }

  leafView(alts: readonly Conjunction[]): LeafView[] {
    return alts.map((conj) => {
      const values = this.valuesOf(conj);
      return { types: this.typesOf(conj), ...(values !== undefined ? { values } : {}) };
    });
  }
}

function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'object') {
    return typeof value as JsonType;
  }
  return 'null';
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function safeRegexTest(source: string, value: string): boolean {
  try {
    return new RegExp(source, 'u').test(value);
  } catch {
    return true; // a pattern this engine cannot read: err towards accepting
  }
}

export type { Conjunction, JsonType, LeafView, Schema };
export { jsonTypeOf, SchemaView };
