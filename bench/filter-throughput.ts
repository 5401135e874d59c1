/**
 * `npm run bench:filter-throughput` (issue 22: "no change to sustained throughput with filters on"):
 * sustained end-to-end events/s on the local runtime with N endpoints carrying payload filters against
 * the same endpoints without (bench/herald/filters.ts), interleaved windows after a warm-up, medians.
 * Writes bench/results/filter-throughput-<date>.json and the section `filter-throughput-results` of
 * docs/benchmarks.md. About 3 minutes with the defaults; flags: --endpoints=4 --warm-up=30 --window=12
 * --rounds=5, and --control for the A/A run (no filters on either tenant: the harness's own difference),
 * written to filter-throughput-control-<date>.json and the section `filter-throughput-control`.
 * --render=<results file> re-renders a run's section without running it.
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type FilterThroughputOptions, runFilterThroughput } from './herald/filters.js';
import { type FilterThroughputResult, renderFilterThroughput } from './herald/filters-report.js';
import { updateGeneratedSection } from './lib/markers.js';

const ROOT = join(import.meta.dirname, '..');

const { values } = parseArgs({
  options: {
    endpoints: { type: 'string' },
    'warm-up': { type: 'string' },
    window: { type: 'string' },
    rounds: { type: 'string' },
    control: { type: 'boolean' },
    render: { type: 'string' },
  },
});

function options(): FilterThroughputOptions {
  const int = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1, got "${v}"`);
    return n;
  };
  const endpoints = int('endpoints', values.endpoints);
  const warmUpSeconds = int('warm-up', values['warm-up']);
  const windowSeconds = int('window', values.window);
  const rounds = int('rounds', values.rounds);
  return {
    ...(endpoints !== undefined ? { endpoints } : {}),
    ...(warmUpSeconds !== undefined ? { warmUpSeconds } : {}),
    ...(windowSeconds !== undefined ? { windowSeconds } : {}),
    ...(rounds !== undefined ? { rounds } : {}),
    ...(values.control === true ? { control: true } : {}),
  };
}

function section(result: FilterThroughputResult, machine: string, date: string): void {
  const name = result.control ? 'filter-throughput-control' : 'filter-throughput';
  const text = renderFilterThroughput(result, machine, date);
  console.log(text);
  updateGeneratedSection(join(ROOT, 'docs', 'benchmarks.md'), `${name}-results`, text);
}

async function main(): Promise<void> {
  if (values.render !== undefined) {
    const saved = JSON.parse(readFileSync(values.render, 'utf8')) as FilterThroughputResult & {
      date: string;
      machine: string;
    };
    section(saved, saved.machine, saved.date);
    return;
  }
  const result = await runFilterThroughput(options());
  const name = result.control ? 'filter-throughput-control' : 'filter-throughput';
  const date = new Date().toISOString().slice(0, 10);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  // Results first: a rendering bug must not lose the run.
  writeFileSync(
    join(ROOT, 'bench', 'results', `${name}-${date}.json`),
    `${JSON.stringify({ date, machine, ...result }, null, 2)}\n`,
  );
  section(result, machine, date);
}

await main();
process.exit(0);
