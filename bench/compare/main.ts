/**
 * `npm run compare [-- --only=nats,redis --count=20000]`: runs the same idempotent job over SQS
 * (fauxqs), NATS JetStream, RabbitMQ and Redis Streams with the same faults (run.ts), prints a table,
 * writes bench/results/compare-<date>.json and regenerates the table in docs/compare.md.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { updateGeneratedSection } from '../lib/markers.js';
import { renderCompare } from './report.js';
import { ADAPTERS, DEFAULT_SETTINGS, runCompare } from './run.js';

const ROOT = join(import.meta.dirname, '..', '..');

function arg(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

async function main(): Promise<void> {
  const only = arg('only')?.split(',') ?? Object.keys(ADAPTERS);
  const settings = { ...DEFAULT_SETTINGS, count: Number(arg('count') ?? DEFAULT_SETTINGS.count) };
  const run = await runCompare(only, settings, { progress: (line) => console.error(line) });
  const table = renderCompare(run);
  console.log(table);
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  // A partial run gets its own file so it never replaces the full run of the day.
  const suffix = arg('only') === undefined ? '' : `-${only.join('-')}`;
  const file = join(dir, `compare-${run.date}${suffix}.json`);
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  // A partial run (--only) must not overwrite the full table in the doc.
  if (arg('only') === undefined)
    updateGeneratedSection(join(ROOT, 'docs', 'compare.md'), 'compare-results', table);
  console.error(`compare: wrote ${file}`);
}

await main();
process.exit(0);
