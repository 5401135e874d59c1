/**
 * JSON Schema (draft 2020-12) through Ajv: one Ajv instance per container, each schema version compiled
 * once and kept (bounded), and Ajv's errors turned into Herald's `{ pointer, message }` list — RFC 6901
 * pointers into the request (`/data/lines/0/quantity`), most specific first, at most 20.
 */
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { InvalidRequestError } from '../errors.js';
import type { PointerMessage } from './errors.js';
import type { JsonSchemaEngine } from './json-schema-engine.js';
import { costlySchemaParts } from './schema-limits.js';

type JsonSchema = Record<string, unknown>;

const MAX_ERRORS = 20;
/** Compiled validators kept per container; old versions fall out first. */
const MAX_COMPILED = 256;
const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

/**
 * Ajv is loaded on first use, not at module load: a container whose events have no schema never pays
 * for it (bench/catalog.ts measures the init time this keeps off ingest's cold start). In a Lambda
 * asset the engine is a file of its own beside the handler (json-schema-engine.ts, ~146 KiB), loaded
 * then: the handler file a cold start parses stays small; the asset as a whole does not shrink.
 */
let engine: Promise<JsonSchemaEngine> | undefined;

function loadJsonSchemaEngine(): Promise<JsonSchemaEngine> {
  // Bundled, the engine is a CommonJS file: its exports may come as the namespace's `default`.
  engine ??= import('./json-schema-engine.js').then((loaded) =>
    'newAjv' in loaded ? loaded : (loaded as { default: JsonSchemaEngine }).default,
  );
  return engine;
}

function ajvFactory(): Promise<() => Ajv2020> {
  // allErrors: a producer fixes every field in one round trip. strictSchema (the default) refuses
  // unknown keywords, so a typo such as "minLenght" is a 400 at registration, not a silent no-op.
  return loadJsonSchemaEngine().then(
    ({ newAjv }) =>
      () =>
        newAjv({ allErrors: true, strictTypes: false, strictTuples: false, logger: false }),
  );
}

let shared: Ajv2020 | undefined;

async function sharedAjv(): Promise<Ajv2020> {
  const make = await ajvFactory();
  shared ??= make();
  return shared;
}
const compiled = new Map<string, { validate: ValidateFunction }>();

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The pointer of the value an Ajv error is about: a missing or extra property names the property itself. */
function errorPointer(error: ErrorObject, prefix: string): string {
  const params = error.params as Record<string, unknown>;
  const child =
    error.keyword === 'required' || error.keyword === 'dependentRequired'
      ? params.missingProperty
      : error.keyword === 'additionalProperties'
        ? params.additionalProperty
        : error.keyword === 'unevaluatedProperties'
          ? params.unevaluatedProperty
          : undefined;
  const base = `${prefix}${error.instancePath}`;
  return typeof child === 'string' ? `${base}/${escapePointerToken(child)}` : base;
}

function errorMessage(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
    case 'dependentRequired':
      return 'is required';
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return 'is not allowed here';
    default:
      return error.message ?? `fails "${error.keyword}"`;
  }
}

function depth(pointer: string): number {
  return pointer === '' ? 0 : pointer.split('/').length - 1;
}

/**
 * Ajv errors as `{ pointer, message }`: deepest pointer first (the field to fix before its containers'
 * `anyOf`/`oneOf` summaries), duplicates dropped, at most 20.
 */
function toPointerErrors(
  errors: readonly ErrorObject[] | null | undefined,
  prefix = '/data',
): PointerMessage[] {
  const seen = new Set<string>();
  const out: Array<PointerMessage & { order: number }> = [];
  (errors ?? []).forEach((error, order) => {
    const pointer = errorPointer(error, prefix);
    const message = errorMessage(error);
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ pointer, message, order });
  });
  out.sort((a, b) => depth(b.pointer) - depth(a.pointer) || a.order - b.order);
  return out.slice(0, MAX_ERRORS).map(({ pointer, message }) => ({ pointer, message }));
}

/** Throws a 400 naming the problem when `schema` is not a usable draft 2020-12 schema object. */
async function assertUsableSchema(schema: unknown, field = 'schema'): Promise<JsonSchema> {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new InvalidRequestError(`"${field}" must be a JSON Schema (draft 2020-12) object`, {
      detail: { field },
    });
  }
  const declared = (schema as JsonSchema).$schema;
  if (declared !== undefined && declared !== DRAFT_2020_12) {
    throw new InvalidRequestError(`"${field}.$schema" must be ${DRAFT_2020_12} when given`, {
      detail: { field: `${field}.$schema` },
    });
  }
  const costly = costlySchemaParts(schema, `/${field}`);
  if (costly.length > 0) {
    throw new InvalidRequestError(
      `"${field}" asks for unbounded work on every publish: ${costly[0]!.message}`,
      {
        detail: { field, errors: costly },
      },
    );
  }
  const ajv = await sharedAjv();
  if (!ajv.validateSchema(schema)) {
    throw new InvalidRequestError(`"${field}" is not a valid JSON Schema (draft 2020-12)`, {
      detail: { field, errors: toPointerErrors(ajv.errors, `/${field}`) },
    });
  }
  try {
    // Compiling also catches what the meta-schema cannot: unknown keywords, unresolvable $ref, bad patterns.
    const fresh = (await ajvFactory())();
    fresh.compile(schema);
  } catch (error) {
    throw new InvalidRequestError(
      `"${field}" cannot be compiled: ${error instanceof Error ? error.message : String(error)}`,
      { detail: { field } },
    );
  }
  return schema as JsonSchema;
}

/**
 * The compiled validator of a schema version, compiled on first use and then kept. `cacheKey` names an
 * immutable version (`<type>@<version>@<createdAt>`), so a hit needs no comparison of schemas.
 */
async function compileFor(cacheKey: string, schema: JsonSchema): Promise<ValidateFunction> {
  const ajv = await sharedAjv();
  const hit = compiled.get(cacheKey);
  if (hit !== undefined) return hit.validate;
  // $id would clash between versions of one type; the cache key identifies the version instead.
  const { $id: _id, ...anonymous } = schema;
  const validate = ajv.compile(anonymous);
  compiled.set(cacheKey, { validate });
  if (compiled.size > MAX_COMPILED) {
    const [oldestKey, oldest] = compiled.entries().next().value!;
    compiled.delete(oldestKey);
    ajv.removeSchema(oldest.validate.schema as JsonSchema);
  }
  return validate;
}

/** `[]` when `value` is valid under `schema`, else the pointer errors (prefixed, e.g. `/data`). */
async function validateValue(
  cacheKey: string,
  schema: JsonSchema,
  value: unknown,
  prefix = '/data',
): Promise<PointerMessage[]> {
  const validate = compiled.get(cacheKey)?.validate ?? (await compileFor(cacheKey, schema));
  return validate(value) ? [] : toPointerErrors(validate.errors, prefix);
}

/** Like validateValue for a schema used once (examples at registration): compiled, used, dropped. */
async function validateOnce(schema: JsonSchema, value: unknown, prefix: string): Promise<PointerMessage[]> {
  const ajv = await sharedAjv();
  const { $id: _id, ...anonymous } = schema;
  const validate = ajv.compile(anonymous);
  try {
    return validate(value) ? [] : toPointerErrors(validate.errors, prefix);
  } finally {
    ajv.removeSchema(anonymous);
  }
}

export type { JsonSchema };
export { assertUsableSchema, loadJsonSchemaEngine, validateOnce, validateValue };
