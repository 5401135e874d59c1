/**
 * NATS JetStream: one stream per queue, one durable pull consumer with explicit acks, `ack_wait` as
 * the redelivery delay and `max_deliver` as the delivery limit. JetStream has no dead-letter queue:
 * it publishes a MAX_DELIVERIES advisory, and this adapter (as a real deployment would) listens for it,
 * copies the message into a DLQ stream and deletes it from the work stream.
 */

import {
  AckPolicy,
  connect,
  DeliverPolicy,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  nanos,
  type Subscription,
} from 'nats';
import { sleep } from '../../lib/time.js';
import type { BrokerAdapter, ConsumerHandle, Handler, JobMessage, QueueSpec } from '../types.js';

const SERVER = '127.0.0.1:4222';
const CONSUMER = 'worker';
const PUBLISH_WINDOW = 500; // outstanding async publishes awaited together

const streamOf = (queue: string): string => `BENCH_${queue.replace(/[^A-Za-z0-9]/g, '_')}`;
const subjectOf = (queue: string): string => `bench.${queue}`;
const dlqStreamOf = (queue: string): string => `${streamOf(queue)}_DLQ`;

interface MaxDeliveriesAdvisory {
  readonly stream: string;
  readonly consumer: string;
  readonly stream_seq: number;
  readonly deliveries: number;
}

class NatsAdapter implements BrokerAdapter {
  readonly name = 'NATS JetStream';
  readonly note = 'nats-server on 127.0.0.1, file storage';
  private nc: NatsConnection | undefined;
  private jsm: JetStreamManager | undefined;
  private readonly advisories = new Map<string, Subscription>();

  async connect(): Promise<void> {
    this.nc = await connect({ servers: SERVER });
    this.jsm = await this.nc.jetstreamManager();
  }

  private conn(): { nc: NatsConnection; jsm: JetStreamManager } {
    if (!this.nc || !this.jsm) throw new Error('NatsAdapter.connect() was not called');
    return { nc: this.nc, jsm: this.jsm };
  }

  async createQueue(spec: QueueSpec): Promise<void> {
    const { nc, jsm } = this.conn();
    await this.deleteStreams(spec.name);
    await jsm.streams.add({ name: streamOf(spec.name), subjects: [subjectOf(spec.name)] });
    await jsm.streams.add({ name: dlqStreamOf(spec.name), subjects: [`${subjectOf(spec.name)}.dlq`] });
    await jsm.consumers.add(streamOf(spec.name), {
      durable_name: CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(spec.redeliveryDelayMs),
      max_deliver: spec.maxDeliveries,
      max_ack_pending: 2000,
    });
    // Dead-lettering, JetStream style: the server announces the exhausted message; we move it.
    const js = nc.jetstream();
    const sub = nc.subscribe(
      `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${streamOf(spec.name)}.${CONSUMER}`,
      {
        callback: (err, msg) => {
          if (err) return;
          const advisory = JSON.parse(new TextDecoder().decode(msg.data)) as MaxDeliveriesAdvisory;
          void (async () => {
            const stored = await jsm.streams.getMessage(advisory.stream, { seq: advisory.stream_seq });
            await js.publish(`${subjectOf(spec.name)}.dlq`, stored.data);
            await jsm.streams.deleteMessage(advisory.stream, advisory.stream_seq);
          })().catch(() => undefined); // the stream may be gone when a scenario ends
        },
      },
    );
    this.advisories.set(spec.name, sub);
  }

  async publish(queue: string, messages: readonly JobMessage[]): Promise<void> {
    const js = this.conn().nc.jetstream();
    const encoder = new TextEncoder();
    for (let i = 0; i < messages.length; i += PUBLISH_WINDOW) {
      const window = messages.slice(i, i + PUBLISH_WINDOW);
      await Promise.all(window.map((m) => js.publish(subjectOf(queue), encoder.encode(JSON.stringify(m)))));
    }
  }

  async startConsumer(
    queue: string,
    handler: Handler,
    options: { concurrency: number },
  ): Promise<ConsumerHandle> {
    const nc = await connect({ servers: SERVER });
    const consumer = await nc.jetstream().consumers.get(streamOf(queue), CONSUMER);
    const messages = await consumer.consume({ max_messages: Math.max(64, options.concurrency * 8) });
    const decoder = new TextDecoder();
    let running = true;
    const handle = async (m: JsMsg): Promise<void> => {
      const outcome = await handler({
        message: JSON.parse(decoder.decode(m.data)) as JobMessage,
        deliveryCount: m.info.deliveryCount,
      });
      if (!running) return;
      if (outcome === 'ack') m.ack();
      if (outcome === 'retry') m.nak();
    };
    const loop = (async () => {
      for await (const m of messages) {
        if (!running) break;
        await handle(m);
      }
    })().catch(() => undefined);
    return {
      stop: async () => {
        running = false;
        await messages.close();
        await loop;
        await nc.drain();
      },
      crash: async () => {
        running = false;
        await nc.close(); // no acks flushed: ack_wait expiry makes the server redeliver
        messages.stop(); // the iterator does not end by itself when its connection is gone
        await Promise.race([loop, sleep(500)]);
      },
    };
  }

  async drainDeadLetters(queue: string): Promise<JobMessage[]> {
    const { jsm } = this.conn();
    const name = dlqStreamOf(queue);
    const info = await jsm.streams.info(name);
    const found: JobMessage[] = [];
    const decoder = new TextDecoder();
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      try {
        const stored = await jsm.streams.getMessage(name, { seq });
        found.push(JSON.parse(decoder.decode(stored.data)) as JobMessage);
        await jsm.streams.deleteMessage(name, seq);
      } catch {
        // a gap left by an earlier drain
      }
    }
    return found;
  }

  private async deleteStreams(queue: string): Promise<void> {
    const { jsm } = this.conn();
    for (const name of [streamOf(queue), dlqStreamOf(queue)]) {
      await jsm.streams.delete(name).catch(() => false);
    }
  }

  async deleteQueue(queue: string): Promise<void> {
    this.advisories.get(queue)?.unsubscribe();
    this.advisories.delete(queue);
    await this.deleteStreams(queue);
  }

  async close(): Promise<void> {
    await this.nc?.drain();
    this.nc = undefined;
  }
}

export { NatsAdapter };
