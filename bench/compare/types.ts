/**
 * The one interface every broker adapter implements. The scenarios (throughput, latency, crash,
 * poison) are written once against it, so the brokers are compared on the same job and faults.
 */

/** The message every broker carries: an order to invoice, stamped for latency and ordering. */
interface JobMessage {
  readonly id: string;
  readonly seq: number;
  /** Epoch milliseconds at publish time (same process, same clock). */
  readonly sentAt: number;
  /** A poison message makes the job throw on every delivery. */
  readonly poison?: boolean;
  readonly order: {
    readonly lines: readonly { readonly sku: string; readonly qty: number; readonly cents: number }[];
  };
}

/** A queue with its dead-letter queue, created fresh by `createQueue`. */
interface QueueSpec {
  readonly name: string;
  /** Deliveries after which a message is dead-lettered (SQS maxReceiveCount, JetStream max_deliver, ...). */
  readonly maxDeliveries: number;
  /** How long an unacknowledged delivery stays invisible (visibility timeout, ack wait, claim idle time). */
  readonly redeliveryDelayMs: number;
}

interface Received {
  readonly message: JobMessage;
  /** The broker's own delivery counter (1 = first delivery) when it exposes one. */
  readonly deliveryCount: number | undefined;
}

/**
 * What the consumer does with a delivery:
 * - `ack`: done, remove it;
 * - `retry`: failed, hand it back for redelivery as soon as the broker allows (nack/nak/visibility 0);
 * - `abandon`: say nothing (the process is about to die) — the broker must notice on its own.
 */
type Outcome = 'ack' | 'retry' | 'abandon';

type Handler = (received: Received) => Promise<Outcome>;

interface ConsumerHandle {
  /** Stops fetching and closes the consumer's own connection gracefully. */
  stop(): Promise<void>;
  /** Drops the consumer's connection without acknowledging what it holds, as a killed process would. */
  crash(): Promise<void>;
}

interface BrokerAdapter {
  readonly name: string;
  /** Shown next to the figures, e.g. that a broker is an in-process emulator. */
  readonly note: string;
  connect(): Promise<void>;
  createQueue(spec: QueueSpec): Promise<void>;
  publish(queue: string, messages: readonly JobMessage[]): Promise<void>;
  /** Starts a consumer on its own connection; `concurrency` is how many deliveries it handles at once. */
  startConsumer(queue: string, handler: Handler, options: { concurrency: number }): Promise<ConsumerHandle>;
  /** Reads (and removes) everything in the queue's dead-letter queue. */
  drainDeadLetters(queue: string): Promise<JobMessage[]>;
  deleteQueue(queue: string): Promise<void>;
  close(): Promise<void>;
}

export type { BrokerAdapter, ConsumerHandle, Handler, JobMessage, Outcome, QueueSpec, Received };
