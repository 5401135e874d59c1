/**
 * `npm run compare [-- --only=nats,redis --count=20000]`: runs the same idempotent job over SQS
 * (fauxqs), NATS JetStream, RabbitMQ and Redis Streams with the same faults, prints a table, writes
 * bench/results/compare-<date>.json and regenerates the table in docs/compare.md.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { updateGeneratedSection } from '../lib/markers.js';
import { withTimeout } from '../lib/time.js';
import { NatsAdapter } from './adapters/nats.js';
import { RabbitMqAdapter } from './adapters/rabbitmq.js';
import { RedisStreamsAdapter } from './adapters/redis-streams.js';
import { SqsAdapter } from './adapters/sqs.js';
import { type BrokerResult, type CompareRun, renderCompare } from './report.js';
import { runCrash, runLatency, runPoison, runThroughput } from './scenarios.js';
import type { BrokerAdapter } from './types.js';

const ROOT = join(import.meta.dirname, '..', '..');

const ADAPTERS: Record<string, () => BrokerAdapter> = {
  sqs: () => new SqsAdapter(),
  nats: () => new NatsAdapter(),
  rabbitmq: () => new RabbitMqAdapter(),
  redis: () => new RedisStreamsAdapter(),
};

function arg(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

const settings = {
  count: Number(arg('count') ?? 20_000),
  throughputTimeoutMs: 60_000,
  concurrency: 8,
  offeredPerSecond: 500,
  latencySeconds: 4,
  crashRedeliveryMs: 1_000,
  maxDeliveries: 3,
  poisonRedeliveryMs: 500,
};

async function step<T>(
  errors: string[],
  label: string,
  run: () => Promise<T>,
  ms: number,
): Promise<T | undefined> {
  try {
    return await withTimeout(run(), ms, label);
  } catch (error) {
    errors.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

async function runBroker(adapter: BrokerAdapter): Promise<BrokerResult> {
  const errors: string[] = [];
  await withTimeout(adapter.connect(), 10_000, 'connect'); // a broker that is down must not hang the run
  const throughput = await step(
    errors,
    'throughput',
    () =>
      runThroughput(adapter, {
        count: settings.count,
        timeoutMs: settings.throughputTimeoutMs,
        concurrency: settings.concurrency,
      }),
    settings.throughputTimeoutMs + 30_000,
  );
  const latency = await step(
    errors,
    'latency',
    () =>
      runLatency(adapter, {
        perSecond: settings.offeredPerSecond,
        seconds: settings.latencySeconds,
        concurrency: settings.concurrency,
      }),
    40_000,
  );
  const crash = await step(
    errors,
    'crash',
    () => runCrash(adapter, { redeliveryDelayMs: settings.crashRedeliveryMs }),
    30_000,
  );
  const poison = await step(
    errors,
    'poison',
    () =>
      runPoison(adapter, {
        maxDeliveries: settings.maxDeliveries,
        redeliveryDelayMs: settings.poisonRedeliveryMs,
      }),
    30_000,
  );
  await adapter.close().catch(() => undefined);
  return {
    broker: adapter.name,
    note: adapter.note,
    errors,
    ...(throughput && { throughput }),
    ...(latency && { latency }),
    ...(crash && { crash }),
    ...(poison && { poison }),
  };
}

async function main(): Promise<void> {
  const only = arg('only')?.split(',') ?? Object.keys(ADAPTERS);
  const results: BrokerResult[] = [];
  for (const key of only) {
    const make = ADAPTERS[key];
    if (!make) throw new Error(`unknown broker ${key}; known: ${Object.keys(ADAPTERS).join(', ')}`);
    const adapter = make();
    console.error(`compare: ${adapter.name} ...`);
    try {
      results.push(await runBroker(adapter));
    } catch (error) {
      results.push({ broker: adapter.name, note: adapter.note, errors: [`connect: ${String(error)}`] });
    }
  }
  const now = new Date();
  const run: CompareRun = {
    date: now.toISOString().slice(0, 10),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    settings,
    results,
  };
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
