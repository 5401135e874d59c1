/**
 * The receiver both the baseline and Herald deliver to: the demo receiver (local/receiver) verifying
 * with the endpoint's secret, failing a share of first attempts with 503 (to exercise retries), and
 * recording when each webhook-id was first acknowledged and, for the baseline's numeric `createdAt`,
 * publish → 2xx latency.
 */

import { startReceiver as startDemoReceiver } from '../../local/receiver/receiver.js';

interface ReceiverOptions {
  readonly secret: string;
  /** Share (0..1) of webhook ids whose first attempt is answered 503. */
  readonly failFirstAttemptRate: number;
}

interface Receiver {
  readonly url: string;
  readonly delivered: Set<string>;
  /** webhook-id → ms epoch of its first 2xx. */
  readonly acceptedAt: Map<string, number>;
  readonly latenciesMs: number[];
  close(): Promise<void>;
}

/** Deterministic per id, so the same ids fail in every run. */
function failsFirst(id: string, rate: number): boolean {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return (h % 10_000) / 10_000 < rate;
}

async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const delivered = new Set<string>();
  const acceptedAt = new Map<string, number>();
  const latenciesMs: number[] = [];
  const receiver = await startDemoReceiver({
    secrets: [options.secret],
    keepRequests: false, // a run delivers tens of thousands
    respond: (request) => {
      const id = request.webhookId ?? '';
      if (request.seenBefore > 0 || !failsFirst(id, options.failFirstAttemptRate)) return undefined;
      return { kind: 'status', status: 503 };
    },
    onAccepted: (webhook, request) => {
      delivered.add(webhook.id); // receivers dedupe on webhook-id
      acceptedAt.set(webhook.id, request.at);
      const { createdAt } = webhook.body as { createdAt?: unknown };
      if (typeof createdAt === 'number') latenciesMs.push(request.at - createdAt);
    },
  });
  return {
    url: `${receiver.url}/hooks`,
    delivered,
    acceptedAt,
    latenciesMs,
    close: () => receiver.close(),
  };
}

export type { Receiver, ReceiverOptions };
export { startReceiver };
