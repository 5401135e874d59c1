/**
 * Generates portal/src/api-types.ts from openapi/openapi.json with openapi-typescript, so the portal's
 * API types are derived from the one API document, never written by hand. `npm run portal:types`
 * rewrites the file; test/unit/portal/api-types.test.ts fails while it is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const DOCUMENT = new URL('../openapi/openapi.json', import.meta.url);
const TARGET = new URL('../portal/src/api-types.ts', import.meta.url);

const HEADER =
  '// Generated from openapi/openapi.json by `npm run portal:types` (openapi-typescript). Do not edit.\n';

async function generateApiTypes(): Promise<string> {
  const document = JSON.parse(readFileSync(DOCUMENT, 'utf8')) as Parameters<typeof openapiTS>[0];
  return HEADER + astToString(await openapiTS(document, { alphabetize: true, defaultNonNullable: false }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(TARGET, await generateApiTypes());
  process.stdout.write(`wrote ${fileURLToPath(TARGET)}\n`);
}

export { generateApiTypes, TARGET };
