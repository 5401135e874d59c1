/**
 * One comparison run: the same idempotent job over each chosen broker with the same faults. Pure of
 * files: `npm run compare` (main.ts) writes what it returns; test/bench/compare.test.ts runs it small
 * against the brokers on this machine so it cannot rot.
 */

import { cpus } from 'node:os';
import { withTimeout } from '../lib/time.js';
import { NatsAdapter } from './adapters/nats.js';
import { RabbitMqAdapter } from './adapters/rabbitmq.js';
import { RedisStreamsAdapter } from './adapters/redis-streams.js';
import { SqsAdapter } from './adapters/sqs.js';
import type { BrokerResult, CompareRun } from './report.js';
import { runCrash, runLatency, runPoison, runThroughput } from './scenarios.js';
import type { BrokerAdapter } from './types.js';

const ADAPTERS: Readonly<Record<string, () => BrokerAdapter>> = {
  sqs: () => new SqsAdapter(),
  nats: () => new NatsAdapter(),
  rabbitmq: () => new RabbitMqAdapter(),
  redis: () => new RedisStreamsAdapter(),
};

interface CompareSettings {
  readonly count: number;
  readonly throughputTimeoutMs: number;
  readonly concurrency: number;
  readonly offeredPerSecond: number;
  readonly latencySeconds: number;
  readonly crashRedeliveryMs: number;
  readonly maxDeliveries: number;
  readonly poisonRedeliveryMs: number;
}

/** The settings of the recorded run (docs/compare.md). */
const DEFAULT_SETTINGS: CompareSettings = {
  count: 20_000,
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

/** `queueSuffix` keeps this run's queues apart from another run's on the same broker. */
async function runBroker(
  adapter: BrokerAdapter,
  settings: CompareSettings,
  queueSuffix: string,
): Promise<BrokerResult> {
  const errors: string[] = [];
  await withTimeout(adapter.connect(), 10_000, 'connect'); // a broker that is down must not hang the run
  const queue = (name: string) => `${name}${queueSuffix}`;
  const throughput = await step(
    errors,
    'throughput',
    () =>
      runThroughput(adapter, {
        count: settings.count,
        timeoutMs: settings.throughputTimeoutMs,
        concurrency: settings.concurrency,
        queue: queue('tp'),
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
        queue: queue('lat'),
      }),
    40_000,
  );
  const crash = await step(
    errors,
    'crash',
    () => runCrash(adapter, { redeliveryDelayMs: settings.crashRedeliveryMs, queue: queue('crash') }),
    30_000,
  );
  const poison = await step(
    errors,
    'poison',
    () =>
      runPoison(adapter, {
        maxDeliveries: settings.maxDeliveries,
        redeliveryDelayMs: settings.poisonRedeliveryMs,
        queue: queue('poison'),
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

/** Runs every scenario on each broker named in `only` (keys of ADAPTERS), one broker at a time. */
async function runCompare(
  only: readonly string[],
  settings: CompareSettings = DEFAULT_SETTINGS,
  options: { queueSuffix?: string; progress?: (line: string) => void } = {},
): Promise<CompareRun> {
  const results: BrokerResult[] = [];
  for (const key of only) {
    const make = ADAPTERS[key];
    if (!make) throw new Error(`unknown broker ${key}; known: ${Object.keys(ADAPTERS).join(', ')}`);
    const adapter = make();
    options.progress?.(`compare: ${adapter.name} ...`);
    try {
      results.push(await runBroker(adapter, settings, options.queueSuffix ?? ''));
    } catch (error) {
      await adapter.close().catch(() => undefined);
      results.push({ broker: adapter.name, note: adapter.note, errors: [`connect: ${String(error)}`] });
    }
  }
  const now = new Date();
  return {
    date: now.toISOString().slice(0, 10),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    settings: { ...settings },
    results,
  };
}

export type { CompareSettings };
export { ADAPTERS, DEFAULT_SETTINGS, runCompare };
