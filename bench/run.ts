/**
 * `npm run bench`: the webhook-delivery benchmark. Runs the BullMQ baseline (offered 500/s, max, max
 * with 5 % failed first attempts), then Herald's suite on the local runtime (bench/herald/suite.ts:
 * warm-up until stable, 20 s windows, 3 interleaved runs per configuration, CPU from /proc, calls
 * counted at the emulators, the ceiling), and writes the results and the generated sections of
 * docs/compare.md and docs/benchmarks.md. HERALD_BENCH_INIT_BEFORE=<assembly dir> also times the
 * bundles of an older assembly, for a before/after of cold start.
 */

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { type BaselineOptions, type BaselineResult, runBullmqBaseline } from './baseline/bullmq.js';
import type { Comparison } from './herald/report.js';
import type { HeraldSuiteResult } from './herald/suite.js';
import { updateGeneratedSection } from './lib/markers.js';

type WebhookBenchOptions = Omit<BaselineOptions, 'concurrency' | 'backoffBaseMs'>;
type HeraldSuite = {
  runHeraldSuite: (options: { initBeforeOutdir?: string }) => Promise<HeraldSuiteResult>;
  renderHeraldSection: (
    suite: HeraldSuiteResult,
    comparisons: readonly Comparison[],
    machine: string,
    date: string,
  ) => string;
};

const ROOT = join(import.meta.dirname, '..');

const RUNS: readonly WebhookBenchOptions[] = [
  { count: 5_000, offeredPerSecond: 500 },
  { count: 10_000 },
  { count: 5_000, failFirstAttemptRate: 0.05 },
];

async function loadHeraldSuite(): Promise<HeraldSuite | undefined> {
  const path = join(ROOT, 'bench', 'herald', 'suite.ts');
  if (!existsSync(path)) return undefined;
  const suite = (await import(path)) as Pick<HeraldSuite, 'runHeraldSuite'>;
  const report = (await import(join(ROOT, 'bench', 'herald', 'report.ts'))) as Pick<
    HeraldSuite,
    'renderHeraldSection'
  >;
  return { ...suite, ...report };
}

const label = (o: WebhookBenchOptions): string =>
  `${o.offeredPerSecond === undefined ? 'max' : `offered ${o.offeredPerSecond}/s`}${o.failFirstAttemptRate ? `, ${o.failFirstAttemptRate * 100}% first attempts 503` : ''}`;

function row(r: BaselineResult, scenario: string): string {
  const l = r.latencyMs;
  return `| ${r.system} | ${scenario} | ${r.delivered}/${r.count}${r.completed ? '' : ' (incomplete)'} | ${r.deliveriesPerSecond.toLocaleString('en-US')} | ${l.p50} / ${l.p95} / ${l.p99} | ${r.retries} |`;
}

async function main(): Promise<void> {
  const lines = [
    '| system | scenario | delivered | deliveries/s | p50 / p95 / p99 ms (enqueue → 2xx) | retries |',
    '|---|---|---:|---:|---|---:|',
  ];
  const results: { scenario: string; baseline: BaselineResult }[] = [];
  for (const options of RUNS) {
    const scenario = label(options);
    console.error(`bench: BullMQ baseline, ${scenario} ...`);
    const baseline = await runBullmqBaseline({ ...options, concurrency: 32 });
    lines.push(row(baseline, scenario));
    results.push({ scenario, baseline });
  }
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  const signer = results[0]?.baseline.signer ?? '';
  const markdown = [
    `Measured ${date} on ${machine}; Redis, worker and receiver on 127.0.0.1; BullMQ worker concurrency 32, exponential backoff base 50 ms, signing with ${signer}. Herald's figures on the same receiver: docs/benchmarks.md.`,
    '',
    ...lines,
  ].join('\n');
  console.log(markdown);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', `bench-${date}.json`),
    `${JSON.stringify({ date, machine, results }, null, 2)}\n`,
  );
  updateGeneratedSection(join(ROOT, 'docs', 'compare.md'), 'baseline-results', markdown);

  const suite = await loadHeraldSuite();
  if (suite) {
    const before = process.env.HERALD_BENCH_INIT_BEFORE;
    const heraldSuite = await suite.runHeraldSuite(before ? { initBeforeOutdir: before } : {});
    // Results first: a rendering bug must not lose a 25-minute run (re-render with herald/render.ts).
    writeFileSync(
      join(ROOT, 'bench', 'results', `herald-${date}.json`),
      `${JSON.stringify({ date, machine, comparisons: results, suite: heraldSuite }, null, 2)}\n`,
    );
    const section = suite.renderHeraldSection(heraldSuite, results, machine, date);
    console.log(section);
    updateGeneratedSection(join(ROOT, 'docs', 'benchmarks.md'), 'herald-results', section);
  }
  // What the event-type catalog adds to publish latency, the ingest bundle and its cold start.
  console.error('bench: event-type catalog (validation at publish) ...');
  const { runCatalogBench } = await import('./catalog.js');
  await runCatalogBench();
  // What a v1a (ed25519) signature costs beside a v1 (HMAC) one.
  console.error('bench: webhook signatures (v1, v1a) ...');
  const { runSigningBench } = await import('./signing.js');
  runSigningBench();
}

await main();
process.exit(0);
