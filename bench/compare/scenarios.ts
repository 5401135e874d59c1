/**
 * The four scenarios, written once against `BrokerAdapter`: throughput, latency at an offered rate,
 * a consumer crash mid-processing, and a poison message. Every wait has a deadline. `queue` names the
 * scenario's queue (default its short name), so runs sharing a broker keep apart.
 */

import { inOrderFraction, type LatencySummary, summarize } from '../lib/stats.js';
import { sleep, waitFor } from '../lib/time.js';
import { InvoiceJob, makeMessages, stamp } from './job.js';
import type { BrokerAdapter, JobMessage } from './types.js';

interface ThroughputResult {
  readonly messages: number;
  readonly processed: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Deliveries beyond one per message id, skipped by the idempotent job. */
  readonly duplicates: number;
  /** Share of consecutive processed messages in publish order (1 = FIFO). */
  readonly inOrder: number;
  /** Publish → processed while saturated: mostly time spent queued. */
  readonly saturatedLatencyMs: LatencySummary;
  readonly completed: boolean;
}

interface LatencyResult {
  readonly offeredPerSecond: number;
  readonly messages: number;
  readonly latencyMs: LatencySummary;
  readonly completed: boolean;
}

interface CrashResult {
  /** Time from the consumer's death to the message reaching a second consumer. */
  readonly redeliveredAfterMs: number | undefined;
  readonly brokerDeliveryCount: number | undefined;
  readonly effects: number;
  readonly duplicatesSkipped: number;
}

interface PoisonResult {
  readonly maxDeliveries: number;
  readonly poisonDeliveries: number;
  readonly deadLetteredAfterMs: number | undefined;
  readonly inDeadLetterQueue: boolean;
  /** The good message published right after the poison one was processed without waiting for it. */
  readonly goodMessageNotBlocked: boolean;
}

const ackingHandler = (job: InvoiceJob) => async (r: { message: JobMessage }) => {
  job.run(r.message);
  return 'ack' as const;
};

async function runThroughput(
  adapter: BrokerAdapter,
  options: { count: number; timeoutMs: number; concurrency: number; queue?: string },
): Promise<ThroughputResult> {
  const queue = options.queue ?? 'tp';
  await adapter.createQueue({ name: queue, maxDeliveries: 5, redeliveryDelayMs: 30_000 });
  const job = new InvoiceJob();
  const consumer = await adapter.startConsumer(queue, ackingHandler(job), {
    concurrency: options.concurrency,
  });
  const all = makeMessages('tp', options.count);
  const started = Date.now();
  const CHUNK = 1000; // stamp per chunk so latency measures queueing, not the stamping instant
  const publishing = (async () => {
    for (let i = 0; i < all.length; i += CHUNK) await adapter.publish(queue, stamp(all.slice(i, i + CHUNK)));
  })();
  await publishing;
  const completed = await waitFor(() => job.effects >= options.count, {
    timeoutMs: Math.max(0, options.timeoutMs - (Date.now() - started)),
    intervalMs: 10,
  });
  const seconds = (Date.now() - started) / 1000;
  await consumer.stop();
  await adapter.deleteQueue(queue);
  return {
    messages: options.count,
    processed: job.effects,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(job.effects / seconds),
    duplicates: job.duplicates,
    inOrder: Math.round(inOrderFraction(job.order) * 1000) / 1000,
    saturatedLatencyMs: summarize(job.latenciesMs),
    completed,
  };
}

async function runLatency(
  adapter: BrokerAdapter,
  options: { perSecond: number; seconds: number; concurrency: number; queue?: string },
): Promise<LatencyResult> {
  const queue = options.queue ?? 'lat';
  await adapter.createQueue({ name: queue, maxDeliveries: 5, redeliveryDelayMs: 30_000 });
  const job = new InvoiceJob();
  const consumer = await adapter.startConsumer(queue, ackingHandler(job), {
    concurrency: options.concurrency,
  });
  const tickMs = 20;
  const perTick = Math.max(1, Math.round((options.perSecond * tickMs) / 1000));
  const ticks = Math.round((options.seconds * 1000) / tickMs);
  const start = Date.now();
  const sends: Promise<void>[] = [];
  for (let t = 0; t < ticks; t++) {
    // Open loop: publish on schedule whether or not earlier publishes finished.
    sends.push(adapter.publish(queue, stamp(makeMessages('lat', perTick, t * perTick))));
    const nextAt = start + (t + 1) * tickMs;
    await sleep(Math.max(0, nextAt - Date.now()));
  }
  await Promise.all(sends);
  const total = ticks * perTick;
  const completed = await waitFor(() => job.effects >= total, { timeoutMs: 15_000, intervalMs: 10 });
  await consumer.stop();
  await adapter.deleteQueue(queue);
  return {
    offeredPerSecond: options.perSecond,
    messages: total,
    latencyMs: summarize(job.latenciesMs),
    completed,
  };
}

async function runCrash(
  adapter: BrokerAdapter,
  options: { redeliveryDelayMs: number; queue?: string },
): Promise<CrashResult> {
  const queue = options.queue ?? 'crash';
  await adapter.createQueue({ name: queue, maxDeliveries: 5, redeliveryDelayMs: options.redeliveryDelayMs });
  const job = new InvoiceJob();
  let received = false;
  // Consumer A does the work (the effect happens) and dies before acknowledging.
  const first = await adapter.startConsumer(
    queue,
    async (r) => {
      job.run(r.message);
      received = true;
      return 'abandon';
    },
    { concurrency: 1 },
  );
  await adapter.publish(queue, stamp(makeMessages('crash', 1)));
  await waitFor(() => received, { timeoutMs: 10_000 });
  const crashedAt = Date.now();
  await first.crash();
  let redeliveredAt: number | undefined;
  let brokerDeliveryCount: number | undefined;
  const second = await adapter.startConsumer(
    queue,
    async (r) => {
      redeliveredAt ??= Date.now();
      brokerDeliveryCount ??= r.deliveryCount;
      job.run(r.message);
      return 'ack';
    },
    { concurrency: 1 },
  );
  await waitFor(() => redeliveredAt !== undefined, { timeoutMs: options.redeliveryDelayMs * 3 + 5_000 });
  await second.stop();
  await adapter.deleteQueue(queue);
  return {
    redeliveredAfterMs: redeliveredAt === undefined ? undefined : redeliveredAt - crashedAt,
    brokerDeliveryCount,
    effects: job.effects,
    duplicatesSkipped: job.duplicates,
  };
}

async function runPoison(
  adapter: BrokerAdapter,
  options: { maxDeliveries: number; redeliveryDelayMs: number; queue?: string },
): Promise<PoisonResult> {
  const queue = options.queue ?? 'poison';
  await adapter.createQueue({
    name: queue,
    maxDeliveries: options.maxDeliveries,
    redeliveryDelayMs: options.redeliveryDelayMs,
  });
  const job = new InvoiceJob();
  const [poison, good] = makeMessages('poison', 2) as [JobMessage, JobMessage];
  let poisonDeliveries = 0;
  let goodAt: number | undefined;
  const consumer = await adapter.startConsumer(
    queue,
    async (r) => {
      try {
        job.run(r.message);
        if (r.message.id === good.id) goodAt ??= Date.now();
        return 'ack';
      } catch {
        poisonDeliveries++;
        return 'retry';
      }
    },
    { concurrency: 1 },
  );
  const publishedAt = Date.now();
  await adapter.publish(queue, stamp([{ ...poison, poison: true }, good]));
  let deadAt: number | undefined;
  await waitFor(
    async () => {
      const dead = await adapter.drainDeadLetters(queue);
      if (dead.some((m) => m.id === poison.id)) deadAt ??= Date.now();
      return deadAt !== undefined;
    },
    { timeoutMs: options.redeliveryDelayMs * (options.maxDeliveries + 2) + 10_000, intervalMs: 50 },
  );
  await sleep(200); // a late extra delivery would show up here
  await consumer.stop();
  await adapter.deleteQueue(queue);
  return {
    maxDeliveries: options.maxDeliveries,
    poisonDeliveries,
    deadLetteredAfterMs: deadAt === undefined ? undefined : deadAt - publishedAt,
    inDeadLetterQueue: deadAt !== undefined,
    goodMessageNotBlocked: goodAt !== undefined && (deadAt === undefined || goodAt <= deadAt),
  };
}

export type { CrashResult, LatencyResult, PoisonResult, ThroughputResult };
export { runCrash, runLatency, runPoison, runThroughput };
