/**
 * The JSON Schema engine: Ajv (draft 2020-12) with ajv-formats. Nothing imports it statically: it is
 * loaded on first use through `loadJsonSchemaEngine()` (validator.ts), and in a Lambda bundle it is its
 * own file beside the handler (`json-schema-engine.js`, lib/herald-function.ts), so a container that
 * validates no schema never reads or parses its ~145 KiB.
 */

import { createRequire } from 'node:module';
import {
  _,
  Ajv2020,
  type CodeKeywordDefinition,
  type ErrorObject,
  type KeywordCxt,
  Name,
  type Options,
} from 'ajv/dist/2020.js';
import ajvEqual from 'ajv/dist/runtime/equal.js';
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import ajvFormats from 'ajv-formats';
import { RE2JS } from 're2js';
import { jsonEqual } from './json-equal.js';
import { MAX_COLLECTED_ERRORS, METER_KEYWORD, type MeterCharge, nodes } from './schema-meter.js';

// CJS package: under NodeNext its default import is the module object; `.default` is the plugin.
const addFormats = ajvFormats.default;

// Ajv's keywords read their equality function from this CJS module's `default` when they compile, so
// it must be jsonEqual before any compile (json-equal.ts says why). The Lambda bundle has it already
// (lambdas/shared/bundling/fast-deep-equal.cjs); under Node the import is the module object, and under a test
// runner's interop the function itself, whose module object is then require's (from the working
// directory: import.meta is not in the CommonJS bundle, which never gets here).
function useJsonEqual(): void {
  const imported = ajvEqual as unknown as ((a: unknown, b: unknown) => boolean) | { default: unknown };
  const current = typeof imported === 'function' ? imported : imported.default;
  if (current === jsonEqual) return;
  const equalModule = (
    typeof imported === 'function'
      ? createRequire(`${process.cwd()}/`)('ajv/dist/runtime/equal.js')
      : imported
  ) as { default: unknown };
  equalModule.default = Object.assign(jsonEqual, { code: 'require("ajv/dist/runtime/equal").default' });
}
useJsonEqual();

/** Validation stopped: the event's budget of checks was spent, or it collected too many errors. */
class ChecksSpentError extends Error {
  override readonly name = 'ChecksSpentError';
  constructor(
    /** RFC 6901 pointer into the validated value where validation stopped. */
    readonly instancePath: string,
    /** RFC 6901 pointer into the schema: the subschema being applied then. */
    readonly schemaPointer: string,
    readonly reason: 'checks' | 'errors',
    /** The errors collected when validation stopped (for `errors`: the first of many). */
    readonly collected: readonly ErrorObject[] = [],
  ) {
    super(`validation stopped (${reason}) at ${instancePath || '/'} (schema ${schemaPointer || '/'})`);
  }
}

/**
 * The checks left to the validation running now. Validation is synchronous, so one meter serves the
 * container: the caller sets `left` just before a validate call and reads it just after.
 */
interface Meter {
  left: number;
}

/**
 * Program instructions (re2js `programSize`) per check per character of a pattern match: RE2 steps
 * through at most its whole program per character (as a DFA it is much cheaper, once built).
 */
const INSTRUCTIONS_PER_CHECK = 8;
/** Checks per node of an array whose items `uniqueItems` compares pairwise. */
const UNIQUE_NODE_CHECKS = 2;

/** The validate function's locals Ajv names so: the value's pointer, and the errors collected. */
const INSTANCE_PATH = new Name('instancePath');
const ERRORS = new Name('errors');
const V_ERRORS = new Name('vErrors');

const meter = {
  left: Number.POSITIVE_INFINITY,
  over(
    instancePath: string,
    schemaPointer: string,
    reason: 'checks' | 'errors',
    collected: readonly ErrorObject[] | null,
  ): never {
    throw new ChecksSpentError(instancePath, schemaPointer, reason, collected ?? []);
  },
  /** Checks of a loop over an object's members, each name matched at `nameCharChecks` per character. */
  members(data: object, perMember: number, nameCharChecks: number): number {
    let checks = 0;
    for (const name of Object.keys(data)) checks += perMember + nameCharChecks * name.length;
    return checks;
  },
  /** Checks of comparing every pair of `items`: each comparison stops at the smaller item. */
  pairs(items: readonly unknown[]): number {
    return items.length < 2 ? 0 : ((items.length - 1) / 2) * nodes(items) * UNIQUE_NODE_CHECKS;
  },
};

/** Checks per character of matching `pattern` (its RE2 program's size: a large program costs more). */
function patternCharChecks(pattern: string): number {
  return 1 + Math.ceil(patternSize(pattern) / INSTRUCTIONS_PER_CHECK);
}

/** Program sizes already measured: registration and each compile of a schema ask for the same ones. */
const patternSizes = new Map<string, number>();
const MAX_PATTERN_SIZES = 10_000;

/** The size of `pattern`'s RE2 program, in instructions. */
function patternSize(pattern: string): number {
  let size = patternSizes.get(pattern);
  if (size === undefined) {
    size = RE2JS.compile(pattern).programSize();
    if (patternSizes.size >= MAX_PATTERN_SIZES) patternSizes.clear();
    patternSizes.set(pattern, size);
  }
  return size;
}

/** Charges one evaluation of a subschema (schema-meter.ts), before its other keywords run. */
const meterKeyword: CodeKeywordDefinition = {
  keyword: METER_KEYWORD,
  schemaType: 'object',
  before: '$ref',
  code(cxt: KeywordCxt) {
    const { gen, data, it } = cxt;
    const charge = cxt.schema as MeterCharge;
    const m = gen.scopeValue('obj', { ref: meter });
    const perChar =
      (charge.perChar ?? 0) + (charge.pattern === undefined ? 0 : patternCharChecks(charge.pattern));
    const nameCharChecks = (charge.namePatterns ?? []).reduce((sum, p) => sum + patternCharChecks(p), 0);
    let cost = _`${charge.checks}`;
    if (perChar > 0) cost = _`${cost} + (typeof ${data} == "string" ? ${perChar} * ${data}.length : 0)`;
    if (charge.perMember !== undefined)
      cost = _`${cost} + (${data} && typeof ${data} == "object" && !Array.isArray(${data}) ? ${m}.members(${data}, ${charge.perMember}, ${nameCharChecks}) : 0)`;
    if (charge.unique === 'deep') cost = _`${cost} + (Array.isArray(${data}) ? ${m}.pairs(${data}) : 0)`;
    if (charge.unique === 'scalar') cost = _`${cost} + (Array.isArray(${data}) ? ${data}.length : 0)`;
    const here = _`${INSTANCE_PATH} + ${it.errorPath}`;
    gen.if(_`(${m}.left -= ${cost}) < 0`, () =>
      gen.code(_`${m}.over(${here}, ${charge.at}, "checks", ${V_ERRORS})`),
    );
    gen.if(_`${ERRORS} > ${MAX_COLLECTED_ERRORS}`, () =>
      gen.code(_`${m}.over(${here}, ${charge.at}, "errors", ${V_ERRORS})`),
    );
  },
};

interface JsonSchemaEngine {
  /** A new Ajv 2020-12 instance with every ajv-formats format and keyword, and the meter's keyword. */
  newAjv(options: Options): Ajv2020;
  readonly meter: Meter;
  readonly ChecksSpentError: typeof ChecksSpentError;
  patternSize(pattern: string): number;
}

/**
 * `pattern` and `patternProperties` run on RE2 (re2js): matching is linear in the input, so no schema
 * can pin ingest with a backtracking pattern such as `^(a+)+$`. RE2 has no lookaround or
 * backreferences; a schema using them fails to compile, which registration answers with a 400.
 */
const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string, _flags: string) => {
    const compiled = RE2JS.compile(pattern);
    // Ajv keys its per-schema pattern cache by toString(): it must differ per pattern.
    return { test: (input: string) => compiled.test(input), toString: () => `/${pattern}/re2` };
  },
  { code: 'linearRegExp' },
);

function newAjv(options: Options): Ajv2020 {
  const ajv = new Ajv2020({ ...options, code: { ...options.code, regExp: linearRegExp } });
  addFormats(ajv);
  ajv.addKeyword(meterKeyword);
  return ajv;
}

export type { JsonSchemaEngine, Meter };
export { ChecksSpentError, meter, newAjv, patternSize };
