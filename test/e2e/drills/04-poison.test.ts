/**
 * Drill 4 — poison message: a message the invoice job can never process goes to the invoice DLQ after
 * exactly maxReceiveCount receives; the orders behind it are not held up beyond one visibility
 * timeout; the DLQ depth shows in the API (and the runtime's metrics when it serves them); a message
 * dead-lettered during an outage is processed once it is redriven. Local target only.
 */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import {
  dlqs,
  expectStatus,
  orderPlaced,
  publishOk,
  tenantEvents,
  uniqueTenant,
} from '../support/fixtures.js';
import { depth, eventMessage, findQueue, inject, queueSettings, total } from '../support/queues.js';
import { record } from '../support/report.js';
import { type SuiteContext, useHerald } from '../support/suite.js';
import { requireLocal, skipReason } from '../support/target.js';
import { settle, waitUntil } from '../support/wait.js';

const ctx = useHerald();
const DRILL = '4 poison message';
const skip = skipReason(DRILL, 'direct SQS access to inject a poison message') !== undefined;
const POISON = '{"poison": true, "type": ';
const ORDERS = 5;

describe.skipIf(skip)(DRILL, () => {
  it('poison → DLQ after exactly maxReceiveCount receives; orders behind it flow; DLQ depth visible', async () => {
    const local = requireLocal(ctx.target);
    const tenantId = uniqueTenant('poison');
    const queue = findQueue(local.runtime.queues, /invoice/i, false);
    const dlqUrl = findQueue(local.runtime.queues, /invoice/i, true);
    const { visibilityTimeoutSeconds, maxReceiveCount } = await queueSettings(local.sqs, queue);
    expect(maxReceiveCount, 'the invoice queue must have a redrive policy').toBeTypeOf('number');

    // Baseline: how long the same orders take with no poison message in the queue.
    const baselineMs = await invoiceOrders(ctx, uniqueTenant('baseline'), 'base');
    const injectedAt = Date.now();
    await inject(local.sqs, queue, POISON, { type: 'order.placed', tenantId });
    await invoiceOrders(ctx, tenantId, 'behind');
    const ordersDoneMs = Date.now() - injectedAt;

    await waitUntil(
      async () => total(await depth(local.sqs, dlqUrl)),
      (n) => n === 1,
      {
        timeoutMs: (maxReceiveCount! + 2) * visibilityTimeoutSeconds * 1000 + 30_000,
        intervalMs: 200,
        description: 'the poison message on the invoice DLQ',
      },
    );
    const deadLetteredMs = Date.now() - injectedAt;
    // Receive it straight from the DLQ before anything else touches it: the count it carries is the
    // number of receives on the source queue, plus this one.
    const received = await local.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 1,
        VisibilityTimeout: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    const message = received.Messages?.[0];
    const receiveCountSeen = Number(message?.Attributes?.ApproximateReceiveCount ?? -1);
    const apiDepth = (await dlqs(ctx.api)).find((q) => /invoice/i.test(q.sourceQueue))?.depth ?? -1;
    const metricsDepth = await metricsDlqDepth(local.runtime.metricsUrl);

    const counts = {
      maxReceiveCount: maxReceiveCount!,
      sourceReceives: receiveCountSeen - 1,
      dlqDepthApi: apiDepth,
      ordersBehind: ORDERS,
      baselineMs,
      ordersDoneMs,
      visibilityTimeoutMs: visibilityTimeoutSeconds * 1000,
      deadLetteredMs,
      metricsDlqDepth: metricsDepth,
    };
    record({
      drill: DRILL,
      case: 'poison → DLQ after exactly maxReceiveCount receives; orders behind it flow; DLQ depth visible',
      injected: `1 unparsable message on the invoice queue, then ${ORDERS} good orders`,
      expected: `DLQ after ${maxReceiveCount} receives; the ${ORDERS} orders delayed by less than one visibility timeout (${visibilityTimeoutSeconds} s) over the no-poison baseline; DLQ depth 1`,
      observed: `body intact: ${message?.Body === POISON}; ${counts.sourceReceives} receives before the DLQ; orders done after ${ordersDoneMs} ms (baseline ${baselineMs} ms); dead-lettered after ${deadLetteredMs} ms; API depth ${apiDepth}; metrics DLQ depth ${metricsDepth}`,
      counts,
    });
    expect(message?.Body).toBe(POISON);
    expect(counts.sourceReceives).toBe(maxReceiveCount);
    expect(apiDepth).toBe(1);
    expect(ordersDoneMs).toBeLessThan(baselineMs + visibilityTimeoutSeconds * 1000);
    expect(metricsDepth).toBe(1);
  });

  it('a message dead-lettered during an outage is processed once after a redrive', async () => {
    const local = requireLocal(ctx.target);
    const tenantId = uniqueTenant('redrive');
    const dlqUrl = findQueue(local.runtime.queues, /invoice/i, true);
    const dlq = (await dlqs(ctx.api)).find((q) => /invoice/i.test(q.sourceQueue))!;
    const before = total(await depth(local.sqs, dlqUrl));
    // A good order that failed while, say, a dependency was down, and landed here.
    const stranded = eventMessage('order.placed', tenantId, orderPlaced('stranded-1'));
    await inject(local.sqs, dlqUrl, stranded.body, stranded.attributes);

    const redriven = expectStatus(
      'redrive',
      await ctx.api.post<{ moved: number; failed: number }>(
        `/v1/dlq/${encodeURIComponent(dlq.name)}/redrive`,
        {},
      ),
      200,
    );
    await waitUntil(
      async () => (await tenantEvents(ctx.api, tenantId)).filter((e) => e.type === 'invoice.created').length,
      (n) => n >= 1,
      { timeoutMs: 60_000, description: 'the redriven order invoiced' },
    );
    const invoices = await settle(
      async () => (await tenantEvents(ctx.api, tenantId)).filter((e) => e.type === 'invoice.created').length,
      (n) => n > 1,
      2_000,
    );
    const counts = { dlqBefore: before, moved: redriven.moved, failed: redriven.failed, invoices };
    record({
      drill: DRILL,
      case: 'a message dead-lettered during an outage is processed once after a redrive',
      injected: `a good order placed on the invoice DLQ (beside ${before} poison message(s)), then POST /v1/dlq/${dlq.name}/redrive`,
      expected: `moved = ${before + 1}, the order invoiced exactly once`,
      observed: `moved ${redriven.moved}, failed ${redriven.failed}, invoiced ${invoices} time(s)`,
      counts,
    });
    expect(counts).toEqual({ dlqBefore: before, moved: before + 1, failed: 0, invoices: 1 });
  });
});

/** Publishes ORDERS orders for the tenant and waits until all are invoiced; returns the elapsed ms. */
async function invoiceOrders(c: SuiteContext, tenantId: string, label: string): Promise<number> {
  const started = Date.now();
  await Promise.all(
    Array.from({ length: ORDERS }, (_, i) =>
      publishOk(c.api, { type: 'order.placed', tenantId, data: orderPlaced(`${label}-${i}`) }),
    ),
  );
  await waitUntil(
    async () => (await tenantEvents(c.api, tenantId)).filter((e) => e.type === 'invoice.created').length,
    (n) => n === ORDERS,
    { timeoutMs: 60_000, description: `${ORDERS} orders (${label}) invoiced` },
  );
  return Date.now() - started;
}

/**
 * The invoice DLQ's depth as the local metrics view (local/metrics.ts, JSON with `queues: [{ name,
 * isDlq, visible, inFlight, delayed }]`) reports it; 'n/a' when the runtime serves no metrics.
 */
async function metricsDlqDepth(url: string | undefined): Promise<number | 'n/a'> {
  if (url === undefined) return 'n/a';
  for (const candidate of [url, `${url.replace(/\/$/, '')}/metrics`]) {
    const response = await fetch(candidate).catch(() => undefined);
    if (response === undefined || !response.ok) continue;
    const doc = (await response.json().catch(() => undefined)) as
      | {
          queues?: Array<{
            name?: string;
            logicalId?: string;
            isDlq?: boolean;
            visible?: number;
            inFlight?: number;
          }>;
        }
      | undefined;
    const queue = doc?.queues?.find((q) => q.isDlq === true && /invoice/i.test(`${q.name} ${q.logicalId}`));
    if (queue !== undefined) return (queue.visible ?? 0) + (queue.inFlight ?? 0);
  }
  return -1;
}
