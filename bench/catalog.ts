/**
 * What the event-type catalog costs ingest (issue 11 item 6), measured in-process and in fresh
 * processes, written to docs/benchmarks.md (section `catalog-results`) by `npm run bench` or alone by
 * `npm run bench:catalog`:
 *   - publish-path validation: `validateAgainstCatalog` on order.placed (valid, and invalid with two
 *     errors) with data's text as ingest passes it, after a warm-up (V8 keeps optimising for a while),
 *     median of runs of many calls;
 *   - the ingest bundle built as HeraldFunction builds it (esbuild, minified CJS, node24), with the
 *     catalog and with `validateAgainstCatalog` stubbed out: the difference is what validation adds;
 *   - ingest cold start: a fresh `node` loading each bundle (module init, CPU time, median of runs),
 *     and the first validation in a fresh process (it loads Ajv and compiles the schema).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { validateAgainstCatalog } from '../lambdas/shared/catalog/catalog.js';
import { updateGeneratedSection } from './lib/markers.js';

const ROOT = join(import.meta.dirname, '..');
const WARMUP_CALLS = 50_000;
const RUNS = 31;
const CALLS_PER_RUN = 5_000;
const COLD_RUNS = 15;

const order = {
  orderId: '1001',
  currency: 'EUR',
  lines: [
    { sku: 'A', quantity: 2, unitPrice: 1250 },
    { sku: 'B', quantity: 1, unitPrice: 999 },
  ],
};
const badOrder = { orderId: '1001', currency: 'euro', lines: [{ sku: 'A', quantity: 0, unitPrice: 1250 }] };

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Median microseconds per call over RUNS runs of CALLS_PER_RUN calls, after a warm-up. */
async function perCallMicros(call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP_CALLS; i++) await call();
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < CALLS_PER_RUN; i++) await call();
    runs.push(Number(process.hrtime.bigint() - t) / 1000 / CALLS_PER_RUN);
  }
  return median(runs);
}

/** A plugin replacing the catalog module with a no-op, for the "without validation" bundle. */
const withoutCatalog: Plugin = {
  name: 'without-catalog',
  setup(b) {
    b.onResolve({ filter: /shared\/catalog\/catalog\.js$/ }, () => ({
      path: 'catalog-stub',
      namespace: 'stub',
    }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'export async function validateAgainstCatalog() { return undefined; }',
      loader: 'js',
    }));
  },
};

async function bundle(entry: string, outfile: string, plugins: Plugin[] = []): Promise<number> {
  // As lib/herald-function.ts bundles (NodejsFunction: minified CJS for node24, everything inside).
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    mainFields: ['module', 'main'],
    alias: {
      '@aws-sdk/credential-provider-node': join(ROOT, 'lambdas/shared/bundling/lambda-credentials.ts'),
      bowser: join(ROOT, 'lambdas/shared/bundling/no-browser-ua.ts'),
    },
    logLevel: 'silent',
    plugins,
  });
  return statSync(outfile).size;
}

function freshProcessOnce(script: string): number {
  const result = spawnSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  if (result.status !== 0) throw new Error(`fresh process failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

/**
 * Milliseconds for a fresh node to run each script, as the script reports them: median of COLD_RUNS,
 * the scripts taking turns so that load on a shared machine falls on all of them alike.
 */
function freshProcessMs(scripts: readonly string[]): number[] {
  const samples = scripts.map(() => [] as number[]);
  for (let i = 0; i < COLD_RUNS; i++) {
    scripts.forEach((script, j) => {
      samples[j]!.push(freshProcessOnce(script));
    });
  }
  return samples.map((s) => Math.round(median(s) * 10) / 10);
}

interface CatalogBenchResult {
  readonly validMicros: number;
  readonly invalidMicros: number;
  readonly ingestBytes: number;
  readonly ingestWithoutCatalogBytes: number;
  readonly ingestInitMs: number;
  readonly ingestWithoutCatalogInitMs: number;
  readonly firstValidationMs: number;
}

async function runCatalogBenchmark(): Promise<CatalogBenchResult> {
  // With data's text, as ingest calls it: the duplicate-name and rounding scan runs too.
  const orderText = JSON.stringify(order);
  const badOrderText = JSON.stringify(badOrder);
  const validMicros = await perCallMicros(() => validateAgainstCatalog('order.placed', order, orderText));
  const invalidMicros = await perCallMicros(() =>
    validateAgainstCatalog('order.placed', badOrder, badOrderText).catch(() => undefined),
  );
  const dir = mkdtempSync(join(tmpdir(), 'herald-catalog-bench-'));
  try {
    const withFile = join(dir, 'ingest.js');
    const withoutFile = join(dir, 'ingest-without-catalog.js');
    const catalogFile = join(dir, 'catalog.js');
    const ingestBytes = await bundle('lambdas/api/ingest.handler.ts', withFile);
    const ingestWithoutCatalogBytes = await bundle('lambdas/api/ingest.handler.ts', withoutFile, [
      withoutCatalog,
    ]);
    await bundle('lambdas/shared/catalog/catalog.ts', catalogFile);
    // CPU time (user + system) of the fresh process, not wall time: on a shared, loaded machine a
    // process is descheduled for longer than it runs, and wall time measures the neighbours.
    const load = (file: string) =>
      `const c=process.cpuUsage();require(${JSON.stringify(file)});const d=process.cpuUsage(c);process.stdout.write(String((d.user+d.system)/1000))`;
    const firstCall = `const m=require(${JSON.stringify(catalogFile)});const c=process.cpuUsage();m.validateAgainstCatalog('order.placed',${JSON.stringify(order)}).then(()=>{const d=process.cpuUsage(c);process.stdout.write(String((d.user+d.system)/1000))})`;
    const [ingestInitMs, ingestWithoutCatalogInitMs, firstValidationMs] = freshProcessMs([
      load(withFile),
      load(withoutFile),
      firstCall,
    ]);
    return {
      validMicros: Math.round(validMicros * 100) / 100,
      invalidMicros: Math.round(invalidMicros * 100) / 100,
      ingestBytes,
      ingestWithoutCatalogBytes,
      ingestInitMs: ingestInitMs!,
      ingestWithoutCatalogInitMs: ingestWithoutCatalogInitMs!,
      firstValidationMs: firstValidationMs!,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

function renderCatalogSection(r: CatalogBenchResult, machine: string, date: string): string {
  return [
    `Measured ${date} on ${machine} (\`npm run bench:catalog\`; in-process figures after ${WARMUP_CALLS.toLocaleString('en-US')} warm-up calls, median of ${RUNS} runs of ${CALLS_PER_RUN.toLocaleString('en-US')}; fresh-process figures median of ${COLD_RUNS}).`,
    '',
    '| what | figure |',
    '|---|---:|',
    `| validation of a valid order.placed at publish (\`validateAgainstCatalog\` with data's text, as ingest calls it: compiled schema, metered, the duplicate-name and rounding scan of the text; no I/O) | ${r.validMicros} µs |`,
    `| validation of an invalid one (two errors → pointers, problem thrown) | ${r.invalidMicros} µs |`,
    `| ingest with validation: handler and JSON Schema engine in one file (minified; deployed as two, the engine loaded on a container's first validation) | ${kib(r.ingestBytes)} |`,
    `| ingest bundle with validation stubbed out | ${kib(r.ingestWithoutCatalogBytes)} |`,
    `| **what validation adds to the ingest bundle** | **${kib(r.ingestBytes - r.ingestWithoutCatalogBytes)}** |`,
    `| ingest cold start: module init in a fresh process (CPU time) | ${r.ingestInitMs} ms |`,
    `| the same without validation (CPU time) | ${r.ingestWithoutCatalogInitMs} ms |`,
    `| first validation in a fresh process: loads Ajv and compiles the order.placed schema, once per container (CPU time) | ${r.firstValidationMs} ms |`,
    '',
    'A registered type adds one DynamoDB GetItem per container per type per 5 s (the cache TTL), not per publish; Herald’s own types none.',
  ].join('\n');
}

async function main(): Promise<void> {
  const date = new Date().toISOString().slice(0, 10);
  const result = await runCatalogBenchmark();
  // The machine is shared: the load average says how much the fresh-process figures may be inflated.
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`;
  const section = renderCatalogSection(result, machine, date);
  console.log(section);
  writeFileSync(
    join(ROOT, 'bench', 'results', `catalog-${date}.json`),
    `${JSON.stringify({ date, machine, result }, null, 2)}\n`,
  );
  updateGeneratedSection(join(ROOT, 'docs', 'benchmarks.md'), 'catalog-results', section);
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  await main();
}

export type { CatalogBenchResult };
export { main as runCatalogBench, renderCatalogSection, runCatalogBenchmark };
