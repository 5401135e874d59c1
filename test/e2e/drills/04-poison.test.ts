/**
 * Drill 4 — poison message: a message the invoice job can never process (not JSON: a non-retryable
 * error) goes to the invoice DLQ on its first receive, not after maxReceiveCount (lambdas/jobs/
 * dead-letter.ts), with the reason attached; the orders behind it are not held up beyond one visibility
 * timeout; the DLQ depth shows in the API (and the runtime's metrics when it serves them); a message
 * dead-lettered during an outage is processed once it is redriven. Local target only.
 */
import { describe, expect, it } from 'vitest';
import {
  dlqs,
  expectStatus,
  orderPlaced,
  peekDlq,
  publishOk,
  tenantEvents,
  uniqueTenant,
} from '../support/fixtures.js';
import { depth, eventMessage, findQueue, inject, queueSettings, total } from '../support/queues.js';
import { record } from '../support/report.js';
import { type SuiteContext, useHerald } from '../support/suite.js';
import { findFunction, requireLocal, skipReason } from '../support/target.js';
import { settle, waitUntil } from '../support/wait.js';

const ctx = useHerald();
const DRILL = '4 poison message';
const skip = skipReason(DRILL, 'direct SQS access to inject a poison message') !== undefined;
const POISON = '{"poison": true, "type": ';
const ORDERS = 5;

describe.skipIf(skip)(DRILL, () => {
  it('poison → DLQ on its first receive, reason attached; orders behind it flow; DLQ depth visible', async () => {
    const local = requireLocal(ctx.target);
    const tenantId = uniqueTenant('poison');
    const queue = findQueue(local.runtime.queues, /invoice/i, false);
    const dlqUrl = findQueue(local.runtime.queues, /invoice/i, true);
    const invoiceFunction = findFunction(local.runtime, /invoice/i);
    const { visibilityTimeoutSeconds, maxReceiveCount } = await queueSettings(local.sqs, queue);
    expect(maxReceiveCount, 'the invoice queue must have a redrive policy').toBeTypeOf('number');
    const dlqTimeoutMs = (maxReceiveCount! + 2) * visibilityTimeoutSeconds * 1000 + 30_000;

    // Phase 1, quiet queue: every invocation of the invoice function is a receive of the poison
    // message, so the invocation count is the receive count.
    const invocationsBefore = await invocations(local.runtime.metricsUrl, invoiceFunction);
    await inject(local.sqs, queue, POISON, { type: 'order.placed', tenantId });
    await waitUntil(
      async () => total(await depth(local.sqs, dlqUrl)),
      (n) => n === 1,
      {
        timeoutMs: dlqTimeoutMs,
        intervalMs: 200,
        description: 'the poison message on the invoice DLQ',
      },
    );
    const receives = (await invocations(local.runtime.metricsUrl, invoiceFunction)) - invocationsBefore;

    // Phase 2: a second poison message with good orders right behind it, against a no-poison baseline.
    const baselineMs = await invoiceOrders(ctx, uniqueTenant('baseline'), 'base');
    const injectedAt = Date.now();
    await inject(local.sqs, queue, POISON, { type: 'order.placed', tenantId });
    await invoiceOrders(ctx, tenantId, 'behind');
    const ordersDoneMs = Date.now() - injectedAt;
    await waitUntil(
      async () => total(await depth(local.sqs, dlqUrl)),
      (n) => n === 2,
      {
        timeoutMs: dlqTimeoutMs,
        intervalMs: 200,
        description: 'the second poison message on the invoice DLQ',
      },
    );
    const deadLetteredMs = Date.now() - injectedAt;

    const dlq = (await dlqs(ctx.api)).find((q) => /invoice/i.test(q.sourceQueue));
    const peeked = dlq === undefined ? [] : await peekDlq(ctx.api, dlq.name);
    const metricsDepth = await metricsDlqDepth(local.runtime.metricsUrl);
    const counts = {
      maxReceiveCount: maxReceiveCount!,
      receivesBeforeDlq: receives,
      dlqDepthApi: dlq?.depth ?? -1,
      dlqDepthMetrics: metricsDepth,
      bodiesIntact: peeked.filter((m) => m.body === POISON).length,
      ordersBehind: ORDERS,
      baselineMs,
      ordersDoneMs,
      visibilityTimeoutMs: visibilityTimeoutSeconds * 1000,
      deadLetteredMs,
    };
    record({
      drill: DRILL,
      case: 'poison → DLQ on its first receive, reason attached; orders behind it flow; DLQ depth visible',
      injected: `an unparsable message on a quiet invoice queue; then another with ${ORDERS} good orders behind it`,
      expected: `DLQ after 1 receive (not ${maxReceiveCount}: the error is not retryable); the orders delayed by less than one visibility timeout (${visibilityTimeoutSeconds} s) over the no-poison baseline; DLQ depth 2 in the API and the metrics`,
      observed: `${receives} receives before the DLQ; orders done after ${ordersDoneMs} ms (baseline ${baselineMs} ms); 2nd poison dead-lettered after ${deadLetteredMs} ms; depth ${counts.dlqDepthApi} (API), ${metricsDepth} (metrics); ${counts.bodiesIntact} bodies intact`,
      counts,
    });
    expect(counts).toMatchObject({
      receivesBeforeDlq: 1,
      dlqDepthApi: 2,
      dlqDepthMetrics: 2,
      bodiesIntact: 2,
    });
    expect(ordersDoneMs).toBeLessThan(baselineMs + visibilityTimeoutSeconds * 1000);
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

interface MetricsDoc {
  readonly queues?: Array<{
    name?: string;
    logicalId?: string;
    isDlq?: boolean;
    visible?: number;
    inFlight?: number;
  }>;
  readonly functions?: Array<{ name?: string; invocations?: number }>;
}

async function metricsDoc(url: string | undefined): Promise<MetricsDoc | undefined> {
  if (url === undefined) return undefined;
  const response = await fetch(url).catch(() => undefined);
  if (response === undefined || !response.ok) return undefined;
  return (await response.json().catch(() => undefined)) as MetricsDoc | undefined;
}

/** Invocations of one function so far, from the local metrics view. */
async function invocations(url: string | undefined, functionName: string): Promise<number> {
  const fn = (await metricsDoc(url))?.functions?.find((f) => f.name === functionName);
  return fn?.invocations ?? Number.NaN;
}

/**
 * The invoice DLQ's depth as the local metrics view (local/metrics.ts, JSON with `queues: [{ name,
 * isDlq, visible, inFlight, delayed }]`) reports it; 'n/a' when the runtime serves no metrics.
 */
async function metricsDlqDepth(url: string | undefined): Promise<number | 'n/a'> {
  const doc = await metricsDoc(url);
  if (doc === undefined) return 'n/a';
  const queue = doc.queues?.find((q) => q.isDlq === true && /invoice/i.test(`${q.name} ${q.logicalId}`));
  return queue === undefined ? -1 : (queue.visible ?? 0) + (queue.inFlight ?? 0);
}
