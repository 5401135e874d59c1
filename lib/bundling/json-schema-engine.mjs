// Puts the JSON Schema engine (lambdas/shared/catalog/json-schema-engine.ts: Ajv + ajv-formats) beside a
// function's bundle when the bundle loads it, as json-schema-engine.js (+ .map). HeraldFunction runs it
// after esbuild, where the bundle keeps `import("./json-schema-engine.js")` external. Plain JavaScript
// so the CDK bundling hook can run it with bare Node:
//   node lib/bundling/json-schema-engine.mjs <bundle dir>
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** The import the bundle keeps (an esbuild external in lib/herald-function.ts). */
export const ENGINE_IMPORT = './json-schema-engine.js';

/** Builds the engine into `dir` if `dir/index.js` imports it; answers whether it did. */
export async function bundleJsonSchemaEngine(dir) {
  const handler = readFileSync(join(dir, 'index.js'), 'utf8');
  if (!handler.includes(`"${ENGINE_IMPORT}"`)) return false;
  // The handler bundle's own options (lib/herald-function.ts).
  await build({
    entryPoints: [join(root, 'lambdas/shared/catalog/json-schema-engine.ts')],
    outfile: join(dir, ENGINE_IMPORT),
    bundle: true,
    minify: true,
    sourcemap: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    mainFields: ['module', 'main'],
    // Ajv's deep equality throws on JSON members named toString or valueOf: a JSON-safe one instead.
    alias: { 'fast-deep-equal': join(root, 'lambdas/shared/bundling/fast-deep-equal.cjs') },
    logLevel: 'warning',
  });
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: node lib/bundling/json-schema-engine.mjs <bundle dir>');
  if (await bundleJsonSchemaEngine(dir)) console.log(`json-schema-engine.js built into ${dir}`);
}
