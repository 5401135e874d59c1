/**
 * Redis Streams with a consumer group. Redis keeps a pending-entries list (PEL) with a delivery
 * counter but never redelivers by itself: consumers must XAUTOCLAIM entries idle longer than the
 * claim time, and dead-lettering is application code (count > limit → XADD to a DLQ stream, XACK).
 */

import { Redis } from 'ioredis';
import type { BrokerAdapter, ConsumerHandle, Handler, JobMessage, QueueSpec } from '../types.js';

const OPTIONS = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 } as const;
const GROUP = 'workers';
const READ_COUNT = 200;
const PIPELINE = 1000;

const keyOf = (queue: string): string => `bench:${queue}`;
const dlqOf = (queue: string): string => `bench:${queue}:dlq`;

type Entry = [id: string, fields: string[] | null];

/**
 * XREADGROUP reply for one stream: RESP2 `[[stream, entries]]`, or with RESP3 (ioredis 6 flattens the
 * map) `[stream, entries]`; null when the block timed out.
 */
function entriesOfRead(reply: unknown): Entry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  if (typeof reply[0] === 'string') return (reply[1] as Entry[] | undefined) ?? [];
  return (reply[0] as [string, Entry[]])[1];
}

/** XAUTOCLAIM reply: [nextId, [[id, fields], ...], deletedIds]. */
function entriesOfClaim(reply: unknown): Entry[] {
  if (!Array.isArray(reply) || reply.length < 2) return [];
  return reply[1] as Entry[];
}

function bodyOf(fields: string[] | null): JobMessage | undefined {
  if (!fields) return undefined;
  const at = fields.indexOf('m');
  return at === -1 ? undefined : (JSON.parse(fields[at + 1] as string) as JobMessage);
}

class RedisStreamsAdapter implements BrokerAdapter {
  readonly name = 'Redis Streams';
  readonly note = 'redis-server on 127.0.0.1, consumer group + XAUTOCLAIM';
  private redis: Redis | undefined;
  private readonly specs = new Map<string, QueueSpec>();
  private consumers = 0;

  async connect(): Promise<void> {
    this.redis = new Redis(OPTIONS);
    await this.redis.ping();
  }

  private r(): Redis {
    if (!this.redis) throw new Error('RedisStreamsAdapter.connect() was not called');
    return this.redis;
  }

  async createQueue(spec: QueueSpec): Promise<void> {
    const redis = this.r();
    await redis.del(keyOf(spec.name), dlqOf(spec.name));
    await redis.xgroup('CREATE', keyOf(spec.name), GROUP, '0', 'MKSTREAM');
    this.specs.set(spec.name, spec);
  }

  async publish(queue: string, messages: readonly JobMessage[]): Promise<void> {
    const redis = this.r();
    for (let i = 0; i < messages.length; i += PIPELINE) {
      const pipeline = redis.pipeline();
      for (const m of messages.slice(i, i + PIPELINE))
        pipeline.xadd(keyOf(queue), '*', 'm', JSON.stringify(m));
      await pipeline.exec();
    }
  }

  async startConsumer(
    queue: string,
    handler: Handler,
    options: { concurrency: number },
  ): Promise<ConsumerHandle> {
    const spec = this.specs.get(queue);
    if (!spec) throw new Error(`unknown queue ${queue}`);
    const redis = new Redis(OPTIONS);
    redis.on('error', () => undefined);
    const name = `c${++this.consumers}`;
    const key = keyOf(queue);
    const claimEveryMs = Math.min(100, spec.redeliveryDelayMs / 4);
    let running = true;
    let lastClaim = 0;

    const process = async (id: string, message: JobMessage, deliveryCount: number, acks: string[]) => {
      const outcome = await handler({ message, deliveryCount });
      if (outcome === 'ack') acks.push(id);
      // 'retry' and 'abandon' both leave the entry pending: Redis has no nack, only a later claim.
    };

    const reclaim = async (acks: string[]): Promise<void> => {
      const claimed = entriesOfClaim(
        await redis.xautoclaim(key, GROUP, name, spec.redeliveryDelayMs, '0-0', 'COUNT', READ_COUNT),
      );
      for (const [id, fields] of claimed) {
        const message = bodyOf(fields);
        if (!message) {
          acks.push(id); // trimmed away
          continue;
        }
        const pending = (await redis.xpending(key, GROUP, id, id, 1)) as [string, string, number, number][];
        const deliveries = pending[0]?.[3] ?? 1;
        if (deliveries > spec.maxDeliveries) {
          await redis.xadd(
            dlqOf(queue),
            '*',
            'm',
            JSON.stringify(message),
            'deliveries',
            String(deliveries - 1),
          );
          acks.push(id);
          continue;
        }
        await process(id, message, deliveries, acks);
      }
    };

    const loop = async (): Promise<void> => {
      while (running) {
        const acks: string[] = [];
        if (Date.now() - lastClaim >= claimEveryMs) {
          lastClaim = Date.now();
          await reclaim(acks);
        }
        const reply = await redis.call(
          'XREADGROUP',
          'GROUP',
          GROUP,
          name,
          'COUNT',
          Math.max(READ_COUNT, options.concurrency),
          'BLOCK',
          50,
          'STREAMS',
          key,
          '>',
        );
        for (const [id, fields] of entriesOfRead(reply)) {
          if (!running) break;
          const message = bodyOf(fields);
          if (message) await process(id, message, 1, acks);
        }
        if (acks.length > 0 && running) await redis.xack(key, GROUP, ...acks);
      }
    };
    const finished = loop().catch(() => undefined);
    return {
      stop: async () => {
        running = false;
        await finished;
        redis.disconnect();
      },
      crash: async () => {
        running = false;
        redis.disconnect(); // pending entries stay in the PEL until another consumer claims them
        await finished;
      },
    };
  }

  async drainDeadLetters(queue: string): Promise<JobMessage[]> {
    const redis = this.r();
    const entries = (await redis.xrange(dlqOf(queue), '-', '+')) as Entry[];
    if (entries.length > 0) await redis.xdel(dlqOf(queue), ...entries.map(([id]) => id));
    return entries.map(([, fields]) => bodyOf(fields)).filter((m): m is JobMessage => m !== undefined);
  }

  async deleteQueue(queue: string): Promise<void> {
    await this.r().del(keyOf(queue), dlqOf(queue));
    this.specs.delete(queue);
  }

  async close(): Promise<void> {
    this.redis?.disconnect();
    this.redis = undefined;
  }
}

export { RedisStreamsAdapter };
