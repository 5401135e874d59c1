/**
 * Puts events straight on the dispatch queue (the runtime's fault-injection hook), bypassing the HTTP
 * API and SNS: measures the delivery side alone — SQS → dispatch → signed POST — which is where the
 * number of consumers matters. Records have the publisher's shape; the send time is the enqueue time.
 */

import type { HeraldLocal } from '../../local/runtime.js';
import { sleep } from '../lib/time.js';
import type { PublishOutcome, PublishRecord } from './publisher.js';

interface InjectOptions {
  readonly count: number;
  readonly offeredPerSecond?: number;
  readonly deadlineAt: number;
  readonly event: (i: number) => { type: string; tenantId: string; data: unknown };
}

/** The dispatch queue's logical id (the one whose id names it). */
function dispatchQueueId(local: HeraldLocal): string {
  const id = Object.keys(local.queues).find((q) => /DispatchQueue/.test(q) && !/Dlq|DeadLetter/i.test(q));
  if (id === undefined) throw new Error('no dispatch queue in the local runtime');
  return id;
}

async function injectEvents(
  local: HeraldLocal,
  run: string,
  options: InjectOptions,
): Promise<PublishOutcome> {
  const queue = dispatchQueueId(local);
  const records: PublishRecord[] = [];
  const startedAt = Date.now();
  for (let i = 0; i < options.count && Date.now() < options.deadlineAt; i++) {
    if (options.offeredPerSecond !== undefined) {
      const ahead = startedAt + (i * 1000) / options.offeredPerSecond - Date.now();
      if (ahead >= 1) await sleep(ahead);
    }
    const sentAt = Date.now();
    const id = `evt_bench${run}${String(i).padStart(8, '0')}`;
    const body = { id, createdAt: new Date(sentAt).toISOString(), ...options.event(i) };
    await local.injectSqsMessage(queue, JSON.stringify(body));
    records.push({ index: i, sentAt, respondedAt: Date.now(), status: 202, id, createdAt: sentAt });
  }
  return { records, maxSlotWaitMs: 0, startedAt, finishedAt: Date.now() };
}

export { dispatchQueueId, injectEvents };
