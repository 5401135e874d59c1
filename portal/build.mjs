// Builds the portal into static assets: app.js (esbuild bundle of src/main.tsx, Preact included),
// app.css and index.html. Plain JavaScript so the CDK bundling hook can run it with bare Node:
//   node portal/build.mjs <outdir>
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** Writes index.html, app.js and app.css into `outdir`; answers the files written. */
export async function buildPortal(outdir) {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [join(here, 'src/main.tsx')],
    outfile: join(outdir, 'app.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'warning',
  });
  copyFileSync(join(here, 'styles.css'), join(outdir, 'app.css'));
  copyFileSync(join(here, 'index.html'), join(outdir, 'index.html'));
  return ['index.html', 'app.js', 'app.css'];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outdir = process.argv[2] ?? join(here, 'dist');
  const started = Date.now();
  await buildPortal(outdir);
  process.stdout.write(`portal built into ${outdir} in ${Date.now() - started} ms\n`);
}
