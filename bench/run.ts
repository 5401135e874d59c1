/**
 * `npm run bench`: the webhook-delivery benchmark. Runs the BullMQ baseline at an offered 500 events/s,
 * at max, and at max with 5% failed first attempts; runs Herald's end-to-end benchmark beside it when
 * bench/herald/run.ts exists, and reports Herald / baseline ratios.
 *
 * HOOK for the end-to-end Herald benchmark (issue 6, parts 1 and 3): add bench/herald/run.ts exporting
 *   runHeraldBenchmark(options: WebhookBenchOptions): Promise<WebhookBenchResult>
 * that starts the local runtime, creates an endpoint pointing at a receiver from bench/baseline/receiver.ts
 * (same signature check, same failure injection), POSTs `count` events at the offered rate and measures
 * publish → 2xx. Herald's runs here are bounded (8 s of publishing, 25 s in all), because the local
 * runtime takes far fewer events per second than the baseline; then bench/herald/suite.ts runs the
 * rate × consumers sweep, start-up and bundle sizes, writing bench/results/herald-<date>.json and the
 * generated section of docs/benchmarks.md.
 */

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { type BaselineOptions, type BaselineResult, runBullmqBaseline } from './baseline/bullmq.js';
import type { Comparison } from './herald/report.js';
import type { HeraldSuiteResult } from './herald/suite.js';
import { updateGeneratedSection } from './lib/markers.js';

type WebhookBenchOptions = Omit<BaselineOptions, 'concurrency' | 'backoffBaseMs'>;
type WebhookBenchResult = Omit<BaselineResult, 'system' | 'concurrency' | 'signer'> & { system: string };
type WebhookBench = (
  options: WebhookBenchOptions & { publishSeconds?: number },
) => Promise<WebhookBenchResult>;
type HeraldSuite = {
  runHeraldSuite: () => Promise<HeraldSuiteResult>;
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

async function loadHerald(): Promise<WebhookBench | undefined> {
  const path = join(ROOT, 'bench', 'herald', 'run.ts');
  if (!existsSync(path)) return undefined;
  const mod = (await import(path)) as { runHeraldBenchmark?: WebhookBench };
  return mod.runHeraldBenchmark;
}

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

function row(r: WebhookBenchResult, scenario: string): string {
  const l = r.latencyMs;
  return `| ${r.system} | ${scenario} | ${r.delivered}/${r.count}${r.completed ? '' : ' (incomplete)'} | ${r.deliveriesPerSecond.toLocaleString('en-US')} | ${l.p50} / ${l.p95} / ${l.p99} | ${r.retries} |`;
}

async function main(): Promise<void> {
  const herald = await loadHerald();
  const lines = [
    '| system | scenario | delivered | deliveries/s | p50 / p95 / p99 ms (enqueue → 2xx) | retries |',
    '|---|---|---:|---:|---|---:|',
  ];
  const results: { scenario: string; baseline: BaselineResult; herald?: WebhookBenchResult }[] = [];
  const ratios: string[] = [];
  for (const options of RUNS) {
    const scenario = label(options);
    console.error(`bench: BullMQ baseline, ${scenario} ...`);
    const baseline = await runBullmqBaseline({ ...options, concurrency: 32 });
    lines.push(row(baseline, scenario));
    if (herald) console.error(`bench: Herald (local runtime), ${scenario} ...`);
    const heraldResult = herald
      ? await herald({ ...options, publishSeconds: 8, timeoutMs: 25_000 })
      : undefined;
    if (heraldResult) {
      lines.push(row(heraldResult, scenario));
      ratios.push(
        `- ${scenario}: Herald/BullMQ throughput ${(heraldResult.deliveriesPerSecond / baseline.deliveriesPerSecond).toFixed(2)}×, p95 latency ${(heraldResult.latencyMs.p95 / baseline.latencyMs.p95).toFixed(2)}×`,
      );
    }
    results.push({ scenario, baseline, ...(heraldResult && { herald: heraldResult }) });
  }
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  const signer = results[0]?.baseline.signer ?? '';
  const markdown = [
    `Measured ${date} on ${machine}; Redis, worker and receiver on 127.0.0.1; BullMQ worker concurrency 32, exponential backoff base 50 ms, signing with ${signer}.`,
    '',
    ...lines,
    '',
    ...(herald
      ? ratios
      : [
          'Herald end-to-end: not run yet (bench/herald/run.ts does not exist; see the hook in bench/run.ts).',
        ]),
  ].join('\n');
  console.log(markdown);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', `bench-${date}.json`),
    `${JSON.stringify({ date, machine, results }, null, 2)}\n`,
  );
  updateGeneratedSection(join(ROOT, 'docs', 'compare.md'), 'baseline-results', markdown);

  const suite = herald ? await loadHeraldSuite() : undefined;
  if (suite) {
    const heraldSuite = await suite.runHeraldSuite();
    const section = suite.renderHeraldSection(heraldSuite, results, machine, date);
    console.log(section);
    writeFileSync(
      join(ROOT, 'bench', 'results', `herald-${date}.json`),
      `${JSON.stringify({ date, machine, comparisons: results, suite: heraldSuite }, null, 2)}\n`,
    );
    updateGeneratedSection(join(ROOT, 'docs', 'benchmarks.md'), 'herald-results', section);
  }
  // What the event-type catalog adds to publish latency, the ingest bundle and its cold start.
  console.error('bench: event-type catalog (validation at publish) ...');
  const { runCatalogBench } = await import('./catalog.js');
  await runCatalogBench();
}

await main();
process.exit(0);
