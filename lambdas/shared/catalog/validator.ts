/**
 * JSON Schema (draft 2020-12) through Ajv: one Ajv instance per container, each schema version compiled
 * once and kept (bounded), and Ajv's errors turned into Herald's `{ pointer, message }` list — RFC 6901
 * pointers into the request (`/data/lines/0/quantity`), most specific first, at most 20.
 */
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { InvalidRequestError } from '../errors.js';
import { type ChecksBudget, ChecksSpent, newBudget, runMetered } from './checks-budget.js';
import type { PointerMessage } from './errors.js';
import type { JsonSchemaEngine } from './json-schema-engine.js';
import { toPointerErrors } from './pointer-errors.js';
import { costlySchemaParts, MAX_PATTERN_INSTRUCTIONS, schemaPatterns } from './schema-limits.js';
import { BASE_CHECKS, meteredSchema } from './schema-meter.js';

type JsonSchema = Record<string, unknown>;

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
      `"${field}" asks for too much work on every publish (at ${costly[0]!.pointer}): ${costly[0]!.message}`,
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
  let validate: ValidateFunction;
  try {
    // Compiling also catches what the meta-schema cannot: unknown keywords, unresolvable $ref, bad patterns.
    const fresh = (await ajvFactory())();
    validate = fresh.compile(meteredSchema(schema));
  } catch (error) {
    throw new InvalidRequestError(
      `"${field}" cannot be compiled: ${error instanceof Error ? error.message : String(error)}`,
      { detail: { field } },
    );
  }
  await assertSmallPatterns(schema, field);
  await assertBoundedOnProbes(validate, field);
  return schema as JsonSchema;
}

/** Throws a 400 naming the first pattern whose RE2 program is too large (each character costs more). */
async function assertSmallPatterns(schema: object, field: string): Promise<void> {
  const { patternSize } = await loadJsonSchemaEngine();
  for (const { pointer, pattern } of schemaPatterns(schema, `/${field}`)) {
    const size = patternSize(pattern);
    if (size > MAX_PATTERN_INSTRUCTIONS) {
      const message = `compiles to ${size} instructions, more than ${MAX_PATTERN_INSTRUCTIONS}; bound lengths with minLength/maxLength rather than a repetition count such as {1,1000}`;
      throw new InvalidRequestError(`"${field}" has a pattern too large to match cheaply: ${message}`, {
        detail: { field, errors: [{ pointer, message }] },
      });
    }
  }
}

/** Values every schema must validate within budget: work that grows with the schema, not the data. */
const PROBES: readonly unknown[] = [null, true, 0, '', {}, []];

/**
 * Throws a 400 when validating a trivial value already spends an event's budget: `$ref`s that fan out
 * (each level doubling the work) or recurse without moving into the data. Work that grows with the data
 * is metered at publish instead (validateValue).
 */
async function assertBoundedOnProbes(validate: ValidateFunction, field: string): Promise<void> {
  for (const probe of PROBES) {
    try {
      await metered(validate, probe, '', newBudget(0));
    } catch (error) {
      if (!(error instanceof ChecksSpent)) throw error;
      const at = `/${field}${error.schemaPointer ?? ''}`;
      const why =
        error.reason === 'stack'
          ? 'it recurses without moving into the data (a $ref cycle through allOf, anyOf, oneOf, not, if or $ref)'
          : `its subschemas fan out (stopped applying ${at}); reference a shared subschema once, not once per branch`;
      throw new InvalidRequestError(
        `"${field}" asks for unbounded work on every publish: validating ${JSON.stringify(probe)} alone needs more than ${BASE_CHECKS} checks, because ${why}`,
        {
          detail: {
            field,
            errors: [
              {
                pointer: at,
                message: `needs more than ${BASE_CHECKS} checks to validate ${JSON.stringify(probe)}`,
              },
            ],
          },
        },
      );
    }
  }
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
  const validate = ajv.compile(meteredSchema(anonymous));
  compiled.set(cacheKey, { validate });
  if (compiled.size > MAX_COMPILED) {
    const [oldestKey, oldest] = compiled.entries().next().value!;
    compiled.delete(oldestKey);
    ajv.removeSchema(oldest.validate.schema as JsonSchema);
  }
  return validate;
}

async function metered(
  validate: ValidateFunction,
  value: unknown,
  prefix: string,
  budget: ChecksBudget,
): Promise<boolean> {
  return runMetered(await loadJsonSchemaEngine(), validate, value, prefix, budget);
}

/**
 * `[]` when `value` is valid under `schema`, else the pointer errors (prefixed, e.g. `/data`). Throws
 * ChecksSpent when validation needs more than what is left of `budget`.
 */
async function validateValue(
  cacheKey: string,
  schema: JsonSchema,
  value: unknown,
  prefix = '/data',
  budget: ChecksBudget = newBudget(JSON.stringify(value).length),
): Promise<PointerMessage[]> {
  const validate = compiled.get(cacheKey)?.validate ?? (await compileFor(cacheKey, schema));
  return (await metered(validate, value, prefix, budget)) ? [] : toPointerErrors(validate.errors, prefix);
}

/**
 * Like validateValue for a schema used once (examples at registration): compiled, used, dropped. A
 * value that spends its budget is a 400.
 */
async function validateOnce(schema: JsonSchema, value: unknown, prefix: string): Promise<PointerMessage[]> {
  const ajv = await sharedAjv();
  const { $id: _id, ...anonymous } = schema;
  const copy = meteredSchema(anonymous);
  const validate = ajv.compile(copy);
  try {
    return (await metered(validate, value, prefix, newBudget(JSON.stringify(value).length)))
      ? []
      : toPointerErrors(validate.errors, prefix);
  } catch (error) {
    if (!(error instanceof ChecksSpent)) throw error;
    // A value the schema cannot validate within an event's budget here would be refused at publish too.
    throw new InvalidRequestError(
      `${prefix} cannot be validated within an event's budget of ${error.limit} checks (stopped at ${error.pointer}); the schema does too much work per value`,
      { detail: { errors: [{ pointer: error.pointer, message: 'validation stopped here: too costly' }] } },
    );
  } finally {
    ajv.removeSchema(copy);
  }
}

export type { JsonSchema };
export { assertUsableSchema, loadJsonSchemaEngine, validateOnce, validateValue };
