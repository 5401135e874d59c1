/**
 * The baseline a Node team would write instead of Herald: events → BullMQ queue on local Redis →
 * worker (concurrency N) that signs (Standard Webhooks) and POSTs, with BullMQ's exponential backoff.
 * `runBullmqBaseline` is what bench/run.ts calls beside the Herald benchmark.
 */

import { randomBytes } from 'node:crypto';
import { type Job, Queue, Worker } from 'bullmq';
import { type LatencySummary, summarize } from '../lib/stats.js';
import { sleep, waitFor } from '../lib/time.js';
import { startReceiver } from './receiver.js';
import { loadSigner } from './signer.js';

interface BaselineOptions {
  /** Events to deliver. */
  readonly count: number;
  /** Open-loop offered rate in events/s; undefined = enqueue everything at once (max throughput). */
  readonly offeredPerSecond?: number;
  /** Worker concurrency (parallel POSTs). @default 32 */
  readonly concurrency?: number;
  /** Share of first attempts the receiver answers 503. @default 0 */
  readonly failFirstAttemptRate?: number;
  /** BullMQ exponential backoff base; production would use seconds, a benchmark milliseconds. @default 50 */
  readonly backoffBaseMs?: number;
  /** @default 120000 */
  readonly timeoutMs?: number;
}

interface BaselineResult {
  readonly system: 'bullmq';
  readonly mode: string;
  readonly count: number;
  readonly delivered: number;
  readonly seconds: number;
  readonly deliveriesPerSecond: number;
  readonly latencyMs: LatencySummary;
  readonly retries: number;
  readonly concurrency: number;
  readonly signer: string;
  readonly completed: boolean;
}

interface EventJob {
  readonly id: string;
  readonly type: string;
  readonly createdAt: number;
  readonly data: { readonly orderId: string; readonly total: number };
}

const CONNECTION = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };

async function runBullmqBaseline(options: BaselineOptions): Promise<BaselineResult> {
  const concurrency = options.concurrency ?? 32;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const receiver = await startReceiver({ secret, failFirstAttemptRate: options.failFirstAttemptRate ?? 0 });
  const { sign, source } = await loadSigner();
  const name = `herald-baseline-${Date.now()}`;
  const queue = new Queue<EventJob>(name, { connection: CONNECTION });
  let retries = 0;

  const worker = new Worker<EventJob>(
    name,
    async (job: Job<EventJob>) => {
      if (job.attemptsMade > 0) retries++;
      const body = JSON.stringify(job.data);
      const headers = sign({
        msgId: job.data.id,
        timestampSeconds: Math.floor(Date.now() / 1000),
        body,
        secrets: [secret],
      });
      const res = await fetch(receiver.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      if (res.status < 200 || res.status >= 300) throw new Error(`receiver answered ${res.status}`);
    },
    { connection: CONNECTION, concurrency },
  );
  worker.on('error', () => undefined);

  const jobOptions = {
    attempts: 8,
    backoff: { type: 'exponential', delay: options.backoffBaseMs ?? 50 },
    removeOnComplete: true,
    removeOnFail: 1000,
  };
  const event = (i: number): { name: string; data: EventJob; opts: typeof jobOptions } => ({
    name: 'order.placed',
    data: {
      id: `evt_${i}`,
      type: 'order.placed',
      createdAt: Date.now(),
      data: { orderId: `o${i}`, total: i },
    },
    opts: jobOptions,
  });

  const timeoutMs = options.timeoutMs ?? 120_000;
  const started = Date.now();
  if (options.offeredPerSecond === undefined) {
    for (let i = 0; i < options.count; i += 1000) {
      const n = Math.min(1000, options.count - i);
      await queue.addBulk(Array.from({ length: n }, (_, k) => event(i + k)));
    }
  } else {
    const tickMs = 20;
    const perTick = Math.max(1, Math.round((options.offeredPerSecond * tickMs) / 1000));
    for (let i = 0, t = 0; i < options.count; i += perTick, t++) {
      const n = Math.min(perTick, options.count - i);
      void queue.addBulk(Array.from({ length: n }, (_, k) => event(i + k)));
      await sleep(Math.max(0, started + (t + 1) * tickMs - Date.now()));
    }
  }
  const completed = await waitFor(() => receiver.delivered.size >= options.count, {
    timeoutMs: Math.max(0, timeoutMs - (Date.now() - started)),
    intervalMs: 10,
  });
  const seconds = (Date.now() - started) / 1000;
  await worker.close(true);
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await receiver.close();
  return {
    system: 'bullmq',
    mode: options.offeredPerSecond === undefined ? 'max' : `offered ${options.offeredPerSecond}/s`,
    count: options.count,
    delivered: receiver.delivered.size,
    seconds: Math.round(seconds * 100) / 100,
    deliveriesPerSecond: Math.round(receiver.delivered.size / seconds),
    latencyMs: summarize(receiver.latenciesMs),
    retries,
    concurrency,
    signer: source,
    completed,
  };
}

export type { BaselineOptions, BaselineResult };
export { runBullmqBaseline };
