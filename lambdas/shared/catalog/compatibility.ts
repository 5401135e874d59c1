/**
 * Is a new schema version a compatible evolution of the current one — does every instance valid under
 * `previous` stay valid under `next`? A pure decision: (previous, next) → { compatible, reasons }, given
 * the loaded JSON Schema engine.
 *
 * It proves, keyword by keyword, that each constraint of `next` is implied by `previous` (widened
 * types, relaxed bounds, added optional properties, dropped constraints all pass). Whatever it cannot
 * prove — a keyword changed that it does not reason about (`anyOf`, `not`, `if`, `$ref` ...) — is a
 * reason too: when unsure, incompatible. Reasons point (RFC 6901) into `next`.
 */
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { PointerMessage } from './errors.js';
import type { JsonSchemaEngine } from './json-schema-engine.js';

type Schema = boolean | Record<string, unknown>;

interface Compatibility {
  readonly compatible: boolean;
  readonly reasons: PointerMessage[];
}

const TYPES = ['null', 'boolean', 'object', 'array', 'number', 'integer', 'string'] as const;
type JsonType = (typeof TYPES)[number];

/** Keywords that never change what validates. */
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
  'contentMediaType',
  'contentEncoding',
]);

/** Keywords this module reasons about; every other keyword must be unchanged. */
const UNDERSTOOD = new Set([
  'type',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'properties',
  'required',
  'additionalProperties',
  'minProperties',
  'maxProperties',
]);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

function token(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Whether a schema constrains nothing (only annotations). */
function acceptsEverything(schema: Schema): boolean {
  return schema === true || (isObject(schema) && Object.keys(schema).every((k) => ANNOTATIONS.has(k)));
}

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

/** The instance types a schema level admits, as far as `type`, `enum` and `const` say. */
function admittedTypes(schema: Record<string, unknown>): Set<JsonType> {
  if ('const' in schema) return new Set([typeOf(schema.const)]);
  if (Array.isArray(schema.enum)) return new Set(schema.enum.map(typeOf));
  const declared = schema.type;
  if (declared === undefined) return new Set(TYPES);
  const list = (Array.isArray(declared) ? declared : [declared]) as JsonType[];
  const set = new Set(list);
  if (set.has('number')) set.add('integer');
  return set;
}

function admitsAny(types: Set<JsonType>, ...wanted: JsonType[]): boolean {
  return wanted.some((t) => types.has(t));
}

/** Whether `$ref`/`$dynamicRef` appear anywhere in a schema. */
function hasReference(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(hasReference);
  if (!isObject(schema)) return false;
  return '$ref' in schema || '$dynamicRef' in schema || Object.values(schema).some(hasReference);
}

/** The Ajv of the finite-set check, one per engine (the engine is loaded once per container). */
const finiteChecks = new WeakMap<JsonSchemaEngine, Ajv2020>();

function finiteCheckOf(engine: JsonSchemaEngine): Ajv2020 {
  let ajv = finiteChecks.get(engine);
  if (ajv === undefined) {
    ajv = engine.newAjv({ strict: false, logger: false, allErrors: false });
    finiteChecks.set(engine, ajv);
  }
  return ajv;
}

class Checker {
  readonly reasons: PointerMessage[] = [];

  constructor(private readonly finiteCheck: Ajv2020) {}

  private reason(pointer: string, message: string): void {
    this.reasons.push({ pointer, message });
  }

  compare(previous: Schema, next: Schema, at: string): void {
    if (deepEqual(previous, next) || acceptsEverything(next) || previous === false) return;
    if (next === false) {
      this.reason(at, 'the new schema accepts nothing here');
      return;
    }
    if (previous === true || !isObject(previous)) {
      this.reason(at, 'everything was accepted here; the new schema adds constraints');
      return;
    }
    const nextObject = next as Record<string, unknown>;
    if (hasReference(nextObject)) {
      this.reason(at, 'a part with $ref changed; compatibility through references is not checked');
      return;
    }
    // A finite set of values before: check each one against the new schema, exactly.
    if ('const' in previous || Array.isArray(previous.enum)) {
      const values = 'const' in previous ? [previous.const] : (previous.enum as unknown[]);
      const { $id: _id, ...anonymous } = nextObject;
      const validate = this.finiteCheck.compile(anonymous);
      for (const value of values) {
        if (!validate(value)) this.reason(at, `${JSON.stringify(value)} was allowed and no longer is`);
      }
      this.finiteCheck.removeSchema(anonymous);
      return;
    }
    for (const keyword of Object.keys(nextObject)) {
      if (ANNOTATIONS.has(keyword) || UNDERSTOOD.has(keyword)) continue;
      if (!deepEqual(previous[keyword], nextObject[keyword])) {
        this.reason(
          `${at}/${token(keyword)}`,
          `"${keyword}" changed; Herald cannot prove that change compatible`,
        );
      }
    }
    const types = admittedTypes(previous);
    this.compareTypes(types, nextObject, at);
    if (admitsAny(types, 'number', 'integer')) this.compareNumbers(previous, nextObject, types, at);
    if (types.has('string')) this.compareStrings(previous, nextObject, at);
    if (types.has('array')) this.compareArrays(previous, nextObject, at);
    if (types.has('object')) this.compareObjects(previous, nextObject, at);
  }

  private compareTypes(types: Set<JsonType>, next: Record<string, unknown>, at: string): void {
    if ('const' in next || Array.isArray(next.enum)) {
      this.reason(`${at}/${'const' in next ? 'const' : 'enum'}`, 'values are now limited to a fixed set');
    }
    if (next.type === undefined) return;
    const allowed = admittedTypes({ type: next.type });
    for (const type of types) {
      if (!allowed.has(type)) this.reason(`${at}/type`, `type "${type}" was allowed and no longer is`);
    }
  }

  private lowerBound(
    previous: Record<string, unknown>,
    next: Record<string, unknown>,
    at: string,
    [inclusive, exclusive]: [string, string],
    direction: 1 | -1,
  ): void {
    // direction 1: lower bounds (minimum); -1: upper bounds (maximum), compared mirrored.
    const num = (v: unknown) => (typeof v === 'number' ? v * direction : undefined);
    const oldIncl = num(previous[inclusive]);
    const oldExcl = num(previous[exclusive]);
    const newIncl = num(next[inclusive]);
    const newExcl = num(next[exclusive]);
    const implied = (bound: number, strict: boolean): boolean =>
      (oldIncl !== undefined && (strict ? oldIncl > bound : oldIncl >= bound)) ||
      (oldExcl !== undefined && oldExcl >= bound);
    if (newIncl !== undefined && !implied(newIncl, false)) {
      this.reason(`${at}/${inclusive}`, `"${inclusive}" is stricter than before`);
    }
    if (newExcl !== undefined && !implied(newExcl, true)) {
      this.reason(`${at}/${exclusive}`, `"${exclusive}" is stricter than before`);
    }
  }

  private compareNumbers(
    previous: Record<string, unknown>,
    next: Record<string, unknown>,
    types: Set<JsonType>,
    at: string,
  ): void {
    this.lowerBound(previous, next, at, ['minimum', 'exclusiveMinimum'], 1);
    this.lowerBound(previous, next, at, ['maximum', 'exclusiveMaximum'], -1);
    const step = next.multipleOf;
    if (typeof step !== 'number') return;
    const before = previous.multipleOf;
    const integersOnly = !types.has('number');
    const implied =
      (typeof before === 'number' && Number.isInteger(before / step)) ||
      (integersOnly && Number.isInteger(1 / step));
    if (!implied) this.reason(`${at}/multipleOf`, '"multipleOf" is stricter than before');
  }

  private compareLimit(
    previous: Record<string, unknown>,
    next: Record<string, unknown>,
    at: string,
    keyword: string,
    kind: 'min' | 'max',
  ): void {
    const after = next[keyword];
    if (typeof after !== 'number') return;
    const before = previous[keyword];
    const ok = typeof before === 'number' && (kind === 'min' ? before >= after : before <= after);
    if (!ok) {
      this.reason(
        `${at}/${keyword}`,
        before === undefined ? `"${keyword}" was added` : `"${keyword}" changed from ${before} to ${after}`,
      );
    }
  }

  private compareStrings(previous: Record<string, unknown>, next: Record<string, unknown>, at: string): void {
    this.compareLimit(previous, next, at, 'minLength', 'min');
    this.compareLimit(previous, next, at, 'maxLength', 'max');
    for (const keyword of ['pattern', 'format']) {
      if (next[keyword] !== undefined && next[keyword] !== previous[keyword]) {
        this.reason(`${at}/${keyword}`, `"${keyword}" was added or changed`);
      }
    }
  }

  private compareArrays(previous: Record<string, unknown>, next: Record<string, unknown>, at: string): void {
    this.compareLimit(previous, next, at, 'minItems', 'min');
    this.compareLimit(previous, next, at, 'maxItems', 'max');
    if (next.uniqueItems === true && previous.uniqueItems !== true) {
      this.reason(`${at}/uniqueItems`, 'items must now be unique');
    }
    if (next.items !== undefined) {
      this.compare((previous.items ?? true) as Schema, next.items as Schema, `${at}/items`);
    }
  }

  private compareObjects(previous: Record<string, unknown>, next: Record<string, unknown>, at: string): void {
    this.compareLimit(previous, next, at, 'minProperties', 'min');
    this.compareLimit(previous, next, at, 'maxProperties', 'max');
    const before = new Set(Array.isArray(previous.required) ? (previous.required as string[]) : []);
    for (const name of Array.isArray(next.required) ? (next.required as string[]) : []) {
      if (!before.has(name)) this.reason(`${at}/required`, `"${name}" became required`);
    }
    const oldProps = isObject(previous.properties) ? previous.properties : {};
    const newProps = isObject(next.properties) ? next.properties : {};
    const oldRest = (previous.additionalProperties ?? true) as Schema;
    for (const [name, schema] of Object.entries(newProps)) {
      const pointer = `${at}/properties/${token(name)}`;
      if (!(name in oldProps) && acceptsEverything(oldRest) && !acceptsEverything(schema as Schema)) {
        this.reason(
          pointer,
          `"${name}" is new with constraints, but the object allowed unlisted properties: an earlier event may carry "${name}" with any value`,
        );
        continue;
      }
      const was = (name in oldProps ? oldProps[name] : oldRest) as Schema;
      this.compare(was, schema as Schema, pointer);
    }
    const newRest = next.additionalProperties as Schema | undefined;
    if (newRest === undefined || acceptsEverything(newRest)) return;
    if (previous.patternProperties !== undefined || next.patternProperties !== undefined) {
      this.reason(
        `${at}/additionalProperties`,
        'additionalProperties changed next to patternProperties; not checked',
      );
      return;
    }
    // Properties the new schema no longer lists now fall under its additionalProperties.
    for (const [name, schema] of Object.entries(oldProps)) {
      if (!(name in newProps)) {
        this.compare(schema as Schema, newRest, `${at}/additionalProperties`);
      }
    }
    if (newRest === false && !(oldRest === false)) {
      this.reason(
        `${at}/additionalProperties`,
        'additionalProperties was closed: unlisted properties were allowed',
      );
    } else {
      this.compare(oldRest, newRest, `${at}/additionalProperties`);
    }
  }
}

/**
 * Whether every instance valid under `previous` is valid under `next`, and if not, why. `engine` is the
 * loaded JSON Schema engine (`await loadJsonSchemaEngine()`, validator.ts), for the finite-set check.
 */
function checkCompatibility(previous: Schema, next: Schema, engine: JsonSchemaEngine): Compatibility {
  const checker = new Checker(finiteCheckOf(engine));
  try {
    checker.compare(previous, next, '');
  } catch (error) {
    // A schema the finite-set check cannot compile: not provably compatible.
    checker.reasons.push({
      pointer: '',
      message: `not checked: ${error instanceof Error ? error.message : error}`,
    });
  }
  const unique = checker.reasons.filter(
    (r, i, all) => all.findIndex((o) => o.pointer === r.pointer && o.message === r.message) === i,
  );
  return { compatible: unique.length === 0, reasons: unique };
}

export type { Compatibility, Schema };
export { checkCompatibility };
