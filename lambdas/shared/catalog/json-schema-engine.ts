/**
 * The JSON Schema engine: Ajv (draft 2020-12) with ajv-formats. Nothing imports it statically: it is
 * loaded on first use through `loadJsonSchemaEngine()` (validator.ts), and in a Lambda bundle it is its
 * own file beside the handler (`json-schema-engine.js`, lib/herald-function.ts), so a container that
 * validates no schema never reads or parses its ~145 KiB.
 */
import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import ajvFormats from 'ajv-formats';
import { RE2JS } from 're2js';

// CJS package: under NodeNext its default import is the module object; `.default` is the plugin.
const addFormats = ajvFormats.default;

interface JsonSchemaEngine {
  /** A new Ajv 2020-12 instance with every ajv-formats format and keyword. */
  newAjv(options: Options): Ajv2020;
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
  return ajv;
}

export type { JsonSchemaEngine };
export { newAjv };
