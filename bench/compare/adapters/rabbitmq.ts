/**
 * RabbitMQ: a quorum queue with `x-delivery-limit` and a dead-letter exchange (the default exchange,
 * routing to `<queue>.dlq`), manual acks, publisher confirms. A consumer that dies with unacked
 * deliveries has them requeued as soon as its connection closes — there is no timeout to wait for.
 */

import { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, connect } from 'amqplib';
import type { BrokerAdapter, ConsumerHandle, Handler, JobMessage, QueueSpec } from '../types.js';

const URL = 'amqp://guest:guest@127.0.0.1:5672';
const CONFIRM_WINDOW = 500;

const queueOf = (queue: string): string => `bench.${queue}`;
const dlqOf = (queue: string): string => `bench.${queue}.dlq`;

class RabbitMqAdapter implements BrokerAdapter {
  readonly name = 'RabbitMQ (quorum queue)';
  note = 'RabbitMQ on 127.0.0.1';
  private conn: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;

  async connect(): Promise<void> {
    this.conn = await connect(URL);
    this.channel = await this.conn.createConfirmChannel();
    const version = this.conn.connection.serverProperties.version;
    this.note = `RabbitMQ ${version ?? ''} on 127.0.0.1`.replace('  ', ' ');
  }

  private ch(): ConfirmChannel {
    if (!this.channel) throw new Error('RabbitMqAdapter.connect() was not called');
    return this.channel;
  }

  async createQueue(spec: QueueSpec): Promise<void> {
    const ch = this.ch();
    await ch.deleteQueue(queueOf(spec.name));
    await ch.deleteQueue(dlqOf(spec.name));
    await ch.assertQueue(dlqOf(spec.name), { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await ch.assertQueue(queueOf(spec.name), {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        // The limit counts returned deliveries: after `limit` returns the next one is dead-lettered,
        // so `maxDeliveries` deliveries in all.
        'x-delivery-limit': spec.maxDeliveries - 1,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': dlqOf(spec.name),
      },
    });
  }

  async publish(queue: string, messages: readonly JobMessage[]): Promise<void> {
    const ch = this.ch();
    for (let i = 0; i < messages.length; i += CONFIRM_WINDOW) {
      for (const m of messages.slice(i, i + CONFIRM_WINDOW)) {
        ch.sendToQueue(queueOf(queue), Buffer.from(JSON.stringify(m)), {
          persistent: true,
          contentType: 'application/json',
          messageId: m.id,
        });
      }
      await ch.waitForConfirms();
    }
  }

  async startConsumer(
    queue: string,
    handler: Handler,
    options: { concurrency: number },
  ): Promise<ConsumerHandle> {
    const conn = await connect(URL);
    conn.on('error', () => undefined); // a crash closes it under our feet
    const ch: Channel = await conn.createChannel();
    ch.on('error', () => undefined);
    await ch.prefetch(Math.max(64, options.concurrency * 8));
    let running = true;
    // Deliveries are handled one after another, in arrival order, like the other adapters.
    let chain: Promise<void> = Promise.resolve();
    const onMessage = (msg: ConsumeMessage | null): void => {
      if (!msg) return;
      chain = chain.then(async () => {
        const header = msg.properties.headers?.['x-delivery-count'];
        const returned = typeof header === 'number' ? header : 0;
        const outcome = await handler({
          message: JSON.parse(msg.content.toString('utf8')) as JobMessage,
          deliveryCount: returned + 1,
        });
        if (!running) return;
        if (outcome === 'ack') ch.ack(msg);
        if (outcome === 'retry') ch.nack(msg, false, true);
      });
    };
    const { consumerTag } = await ch.consume(queueOf(queue), onMessage, { noAck: false });
    return {
      stop: async () => {
        await ch.cancel(consumerTag).catch(() => undefined);
        await chain;
        running = false;
        await conn.close().catch(() => undefined);
      },
      crash: async () => {
        running = false;
        await conn.close().catch(() => undefined); // the broker requeues every unacked delivery
        await chain.catch(() => undefined);
      },
    };
  }

  async drainDeadLetters(queue: string): Promise<JobMessage[]> {
    const ch = this.ch();
    const found: JobMessage[] = [];
    for (let i = 0; i < 10_000; i++) {
      const msg = await ch.get(dlqOf(queue), { noAck: true });
      if (msg === false) break;
      found.push(JSON.parse(msg.content.toString('utf8')) as JobMessage);
    }
    return found;
  }

  async deleteQueue(queue: string): Promise<void> {
    const ch = this.ch();
    await ch.deleteQueue(queueOf(queue));
    await ch.deleteQueue(dlqOf(queue));
  }

  async close(): Promise<void> {
    await this.conn?.close();
    this.conn = undefined;
    this.channel = undefined;
  }
}

export { RabbitMqAdapter };
