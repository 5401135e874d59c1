/**
 * Drill 3 — crash mid-processing: the invoice job's workers are killed again and again while orders
 * are in flight. A message whose worker died comes back after its visibility timeout; the in-progress
 * idempotency record left behind expires; every order is invoiced exactly once and nothing is left
 * stuck in the queue or dead-lettered. Needs the runtime's kill hook: local target only.
 */
import { describe, expect, it } from 'vitest';
import {
  dlqs,
  orderPlaced,
  publishOk,
  type StoredEvent,
  tenantEvents,
  uniqueTenant,
} from '../support/fixtures.js';
import { depth, findQueue, queueSettings, total } from '../support/queues.js';
import { record } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { findFunction, requireLocal, skipReason } from '../support/target.js';
import { holdsFor, pause, settle, waitUntil } from '../support/wait.js';

const ctx = useHerald();
const DRILL = '3 crash mid-processing';
const skip = skipReason(DRILL, 'the local runtime’s killFunctionWorkers hook') !== undefined;
const ORDERS = 10;
const KILLS = 8;
const KILL_INTERVAL_MS = 60;

function invoiceCounts(events: readonly StoredEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events.filter((x) => x.type === 'invoice.created')) {
    const id = String(e.data.orderId);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe.skipIf(skip)(DRILL, () => {
  it('job workers killed while orders are in flight: every order invoiced once, nothing stuck', async () => {
    const local = requireLocal(ctx.target);
    const kill = local.runtime.killFunctionWorkers;
    expect(kill, 'local/runtime.ts should expose killFunctionWorkers').toBeTypeOf('function');
    const invoiceFunction = findFunction(local.runtime, /invoice/i);
    const tenantId = uniqueTenant('crash');
    const queue = findQueue(local.runtime.queues, /invoice/i, false);
    const settings = await queueSettings(local.sqs, queue);
    const started = Date.now();

    const publishing = Promise.all(
      Array.from({ length: ORDERS }, (_, i) =>
        publishOk(ctx.api, { type: 'order.placed', tenantId, data: orderPlaced(`crash-${i}`) }),
      ),
    );
    for (let i = 0; i < KILLS; i++) {
      await kill!.call(local.runtime, invoiceFunction);
      await pause(KILL_INTERVAL_MS);
    }
    await publishing;

    const visibilityMs = settings.visibilityTimeoutSeconds * 1000;
    await waitUntil(
      async () => invoiceCounts(await tenantEvents(ctx.api, tenantId)).size,
      (n) => n === ORDERS,
      { timeoutMs: 3 * visibilityMs + 60_000, intervalMs: 250, description: 'every order invoiced' },
    );
    const completedMs = Date.now() - started;
    const counts = await holdsFor(
      async () => invoiceCounts(await tenantEvents(ctx.api, tenantId)),
      (m) => [...m.values()].some((n) => n > 1),
      2_000,
    );
    const queueLeft = await settle(
      async () => total(await depth(local.sqs, queue)),
      (n) => n === 0,
      visibilityMs + 10_000,
    );
    const dlqDepth = (await dlqs(ctx.api)).find((q) => /invoice/i.test(q.sourceQueue))?.depth ?? -1;
    const observed = {
      orders: ORDERS,
      killCalls: KILLS,
      invoiced: counts.size,
      invoicedTwice: [...counts.values()].filter((n) => n > 1).length,
      leftInQueue: queueLeft,
      deadLettered: dlqDepth,
      visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
      completedMs,
    };
    record({
      drill: DRILL,
      case: 'job workers killed while orders are in flight: every order invoiced once, nothing stuck',
      injected: `${ORDERS} orders published while the invoice workers were killed ${KILLS} times, ${KILL_INTERVAL_MS} ms apart`,
      expected: `${ORDERS} invoiced exactly once, 0 left in the queue, 0 dead-lettered`,
      observed: `${observed.invoiced} invoiced, ${observed.invoicedTwice} twice, ${queueLeft} left, ${dlqDepth} dead-lettered, done after ${completedMs} ms (visibility ${settings.visibilityTimeoutSeconds} s)`,
      counts: observed,
    });
    expect(observed).toMatchObject({ invoiced: ORDERS, invoicedTwice: 0, leftInQueue: 0, deadLettered: 0 });
  });
});
