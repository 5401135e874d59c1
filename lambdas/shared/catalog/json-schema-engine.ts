/**
 * The JSON Schema engine: Ajv (draft 2020-12) with ajv-formats. Nothing imports it statically: it is
 * loaded on first use through `loadJsonSchemaEngine()` (validator.ts), and in a Lambda bundle it is its
 * own file beside the handler (`json-schema-engine.js`, lib/herald-function.ts), so a container that
 * validates no schema never reads or parses its ~145 KiB.
 */
import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';

// CJS package: under NodeNext its default import is the module object; `.default` is the plugin.
const addFormats = ajvFormats.default;

interface JsonSchemaEngine {
  /** A new Ajv 2020-12 instance with every ajv-formats format and keyword. */
  newAjv(options: Options): Ajv2020;
}

function newAjv(options: Options): Ajv2020 {
  const ajv = new Ajv2020(options);
  addFormats(ajv);
  return ajv;
}

export type { JsonSchemaEngine };
export { newAjv };
