/**
 * Receive times from the shared receiver (bench/baseline/receiver.ts). That receiver computes latency
 * from a numeric `createdAt` in the body; Herald's body carries an ISO string and the publish send time
 * is what the benchmark measures from, so the receiver's own latencies do not apply. It adds each
 * first successful webhook-id to `delivered`; observing that add gives the receive instant without a
 * second receiver (so both systems still face the same signature check and failure injection).
 * A receiver option `onDelivered(id, at)` would make this unnecessary (suggested in the report).
 */

import type { Receiver } from '../baseline/receiver.js';

/** webhook-id → ms epoch of its first 2xx, filled as deliveries arrive. */
function observeReceipts(receiver: Receiver): Map<string, number> {
  const receivedAt = new Map<string, number>();
  const set = receiver.delivered;
  const add = set.add.bind(set);
  Object.defineProperty(set, 'add', {
    value: (id: string) => {
      if (!receivedAt.has(id)) receivedAt.set(id, Date.now());
      return add(id);
    },
  });
  return receivedAt;
}

export { observeReceipts };
