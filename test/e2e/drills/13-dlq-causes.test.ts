/**
 * Drill 13 — "the DLQ grew": one cause at a time, on a runtime with a data directory (`npm start --
 * --data`), diagnosed and recovered with Herald's own CLI as the runbooks write it
 * (runbooks/dlq-growing.md, runbooks/webhook-delivery-failing.md):
 * - poison straight to the events topic (an old payload shape, no envelope) → `dlq stats` names
 *   `permanent_error` / invalid_request / the job; `dlq purge --match` exports every message first;
 *   the producer publishes the corrected events, each invoiced once;
 * - a deployed job that throws a TypeError → `dlq stats` names `retries_exhausted` / TypeError / the
 *   job with the message; roll back, `dlq redrive`, each order invoiced once;
 * - a receiver down (503) → `dlq stats` names the endpoint and http_503; the receiver recovers,
 *   `dlq redrive webhook-dlq`, each event accepted once.
 * Each case also peeks 10 with persistence on (issue 24 point 1: that was a 500) and checks nothing
 * was hidden. Local target only (it deploys a broken bundle and publishes to SNS directly).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../../cli/main.js';
import {
  createEndpoint,
  deliveriesOf,
  orderPlaced,
  publishOk,
  tenantEvents,
  uniqueTenant,
} from '../support/fixtures.js';
import { ok, status } from '../support/receiver.js';
import { record } from '../support/report.js';
import { useHerald } from '../support/suite.js';
import { findFunction, requireLocal, skipReason } from '../support/target.js';
import { waitUntil } from '../support/wait.js';

const ctx = useHerald({ timeScale: 0.0001, persistent: true });
const DRILL = '13 DLQ causes';
const skip = skipReason(DRILL, 'SNS access, a function deploy and the local data directory') !== undefined;
const N = 20;
const TIMEOUT_MS = 120_000;
const JOB_DLQ = 'job-invoice-dlq';
const WEBHOOK_DLQ = 'webhook-dlq';
const work = mkdtempSync(join(resolve('.'), '.tmp-drill-13-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Cli {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run -s herald -- <argv>`, in-process, against this runtime; `commands` counts what was typed. */
let commands = 0;
async function herald(...argv: string[]): Promise<Cli> {
  commands += 1;
  let stdout = '';
  let stderr = '';
  const code = await run([...argv, '--url', ctx.target.apiUrl, '--key', ctx.target.adminKey], {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    // As the runbooks run it: the local metrics URL is known (local.json, or HERALD_METRICS_URL).
    env: { HERALD_METRICS_URL: ctx.target.local?.runtime.metricsUrl ?? '' },
    cwd: work,
  });
  return { code, stdout, stderr };
}

async function json<T>(...argv: string[]): Promise<T> {
  const result = await herald(...argv, '--json');
  expect(result.code, `herald ${argv.join(' ')}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as T;
}

interface DlqRow {
  readonly name: string;
  readonly depth: number;
  readonly inFlight?: number;
}

async function held(name: string): Promise<{ visible: number; inFlight: number }> {
  const rows = await json<{ items: DlqRow[] }>('dlq', 'list');
  const row = rows.items.find((q) => q.name === name);
  return { visible: row?.depth ?? -1, inFlight: row?.inFlight ?? -1 };
}

async function dlqHolds(name: string, count: number): Promise<void> {
  await waitUntil(
    () => held(name),
    (d) => d.visible + d.inFlight === count,
    { timeoutMs: TIMEOUT_MS, intervalMs: 500, description: `${count} messages on ${name}` },
  );
}

interface Stats {
  readonly total: number;
  readonly complete: boolean;
  readonly groups: ReadonlyArray<Record<string, unknown> & { count: number }>;
  readonly by: Readonly<Record<string, ReadonlyArray<{ value: string; count: number; exampleId: string }>>>;
}

/** Peeking 10 with a data directory answers, and hides nothing (issue 24 point 1). */
async function peekHidesNothing(name: string, count: number): Promise<void> {
  const peeked = await json<{ items: unknown[] }>('dlq', 'peek', name, '--limit', '10');
  expect(peeked.items).toHaveLength(Math.min(10, count));
  expect(await held(name)).toEqual({ visible: count, inFlight: 0 });
}

/** Invoices (invoice.created events) per order id of the tenant. */
async function invoicesByOrder(tenantId: string): Promise<Map<string, number>> {
  const events = await tenantEvents(ctx.api, tenantId);
  const counts = new Map<string, number>();
  for (const e of events.filter((x) => x.type === 'invoice.created')) {
    const orderId = String((e.data as { orderId?: unknown }).orderId);
    counts.set(orderId, (counts.get(orderId) ?? 0) + 1);
  }
  return counts;
}

const orderIds = (prefix: string) => Array.from({ length: N }, (_, i) => `${prefix}-${i}`);

describe.skipIf(skip)(DRILL, () => {
  it('poison straight to the topic: stats names it, purge exports it all first, corrected events invoiced once', async () => {
    const local = requireLocal(ctx.target);
    const tenantId = uniqueTenant('poison-topic');
    const sns = new SNSClient({
      region: 'us-east-1',
      endpoint: local.runtime.sqsEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
    const topicArn = Topics.map((t) => t.TopicArn ?? '').find((arn) =>
      /events/i.test(arn.split(':').pop() ?? ''),
    );
    expect(topicArn, 'the events topic').toBeDefined();
    const started = Date.now();
    // The producer's old shape: the order alone, no event envelope.
    for (const orderId of orderIds('poison')) {
      await sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: JSON.stringify({ orderId, amount: 1250 }),
          MessageAttributes: {
            type: { DataType: 'String', StringValue: 'order.placed' },
            tenantId: { DataType: 'String', StringValue: tenantId },
          },
        }),
      );
    }
    sns.destroy();
    await dlqHolds(JOB_DLQ, N);
    await peekHidesNothing(JOB_DLQ, N);

    commands = 0;
    const stats = await json<Stats>('dlq', 'stats', JOB_DLQ);
    const toCause = commands;
    expect(stats).toMatchObject({ total: N, complete: true });
    expect(stats.groups[0], JSON.stringify(stats.groups)).toMatchObject({
      reason: 'permanent_error',
      errorClass: 'invalid_request',
      job: 'invoice',
      count: N,
    });

    // Recovery (runbooks/dlq-growing.md, known poison): export and remove, then the producer re-sends.
    const purged = await json<{ matched: number; deleted: number; exportedTo: string }>(
      'dlq',
      'purge',
      JOB_DLQ,
      '--match',
      'reason=permanent_error,errorClass=invalid_request',
      '--out',
      'poison.jsonl',
      '--yes',
    );
    expect(purged).toMatchObject({ matched: N, deleted: N });
    const exported = readFileSync(purged.exportedTo, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { body: { orderId: string } }).body.orderId);
    expect(exported.sort()).toEqual(orderIds('poison').sort()); // nothing lost: every one is in the file
    expect(await held(JOB_DLQ)).toEqual({ visible: 0, inFlight: 0 });
    for (const orderId of orderIds('poison')) {
      await publishOk(ctx.api, { type: 'order.placed', tenantId, data: orderPlaced(orderId) });
    }
    const invoices = await waitUntil(
      () => invoicesByOrder(tenantId),
      (m) => m.size === N,
      { timeoutMs: TIMEOUT_MS, description: `${N} invoices` },
    );
    expect([...invoices.values()].every((n) => n === 1)).toBe(true); // nothing done twice
    record({
      drill: DRILL,
      case: 'poison straight to the topic: stats names it, purge exports it all first, corrected events invoiced once',
      injected: `${N} messages of an old payload shape published straight to the events topic`,
      expected:
        'dlq stats names permanent_error / invalid_request / invoice in its top group; purge exports all first',
      observed: `top group ${stats.groups[0]?.reason}/${stats.groups[0]?.errorClass}/${stats.groups[0]?.job} ×${stats.groups[0]?.count}`,
      counts: {
        commandsToCause: toCause,
        messages: N,
        exported: exported.length,
        invoicedOnce: invoices.size,
        recoverSeconds: Math.round((Date.now() - started) / 1000),
      },
    });
  });

  it('a job that throws: stats names the job and the TypeError; roll back + redrive invoices each order once', async () => {
    const local = requireLocal(ctx.target);
    const tenantId = uniqueTenant('thrown');
    const fn = findFunction(local.runtime, /invoice/i);
    // "Deploy" a version of the invoice job with a bug: it reads a field orders do not have.
    const src = join(work, 'broken-invoice.ts');
    writeFileSync(
      src,
      [
        `import { invoiceOrder } from '${resolve('lambdas/jobs/invoice.handler.ts')}';`,
        `import { defineJob } from '${resolve('lambdas/jobs/runner.ts')}';`,
        'function discountOf(data: Record<string, unknown>): number {',
        '  return (data.discount as { percent: number }).percent;',
        '}',
        "export const handler = defineJob({ name: 'invoice', handle: async (event) => {",
        '  discountOf(event.data);',
        '  return invoiceOrder(event);',
        '} });',
        '',
      ].join('\n'),
    );
    const assetDir = join(work, 'broken-asset');
    mkdirSync(assetDir, { recursive: true });
    await build({
      entryPoints: [src],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      sourcemap: true,
      outfile: join(assetDir, 'index.js'),
      logLevel: 'silent',
    });
    await local.runtime.updateFunctionCode!(fn, { assetDir, handler: 'index.handler' });
    const started = Date.now();
    for (const orderId of orderIds('thrown')) {
      await publishOk(ctx.api, { type: 'order.placed', tenantId, data: orderPlaced(orderId) });
    }
    await dlqHolds(JOB_DLQ, N);
    await peekHidesNothing(JOB_DLQ, N);

    commands = 0;
    const stats = await json<Stats>('dlq', 'stats', JOB_DLQ);
    const toCause = commands;
    expect(stats.groups[0], JSON.stringify(stats.groups)).toMatchObject({
      reason: 'retries_exhausted',
      errorClass: 'TypeError',
      job: 'invoice',
      type: 'order.placed',
      tenantId,
      count: N,
    });
    expect(String(stats.groups[0]?.error)).toMatch(/percent/);
    // The metrics name the job too.
    const metrics = await json<{ jobs: Array<{ job: string; failed: number }> }>('metrics');
    expect(metrics.jobs.find((j) => j.job === 'invoice')?.failed).toBeGreaterThanOrEqual(N);

    // Recovery (runbooks/dlq-50k-in-an-hour.md, consumer code throwing): roll back, then redrive.
    await local.runtime.updateFunctionCode!(fn);
    const redriven = await json<{ moved: number; failed: number }>('dlq', 'redrive', JOB_DLQ);
    expect(redriven).toMatchObject({ moved: N, failed: 0 });
    const invoices = await waitUntil(
      () => invoicesByOrder(tenantId),
      (m) => m.size === N,
      { timeoutMs: TIMEOUT_MS, description: `${N} invoices after the redrive` },
    );
    expect([...invoices.values()].every((n) => n === 1)).toBe(true);
    expect(await held(JOB_DLQ)).toEqual({ visible: 0, inFlight: 0 });
    record({
      drill: DRILL,
      case: 'a job that throws: stats names the job and the TypeError; roll back + redrive invoices each order once',
      injected: `an invoice job deployed with a TypeError; ${N} orders published`,
      expected:
        'dlq stats names retries_exhausted / TypeError / invoice with the message; rollback + redrive invoice each once',
      observed: `top group ${stats.groups[0]?.reason}/${stats.groups[0]?.errorClass}/${stats.groups[0]?.job} ×${stats.groups[0]?.count}: ${stats.groups[0]?.error}`,
      counts: {
        commandsToCause: toCause,
        messages: N,
        invoicedOnce: invoices.size,
        recoverSeconds: Math.round((Date.now() - started) / 1000),
      },
    });
  });

  it('a receiver down: stats names the endpoint and http_503; after recovery a redrive delivers each once', async () => {
    const tenantId = uniqueTenant('down');
    const path = 'down';
    ctx.receiver.setDefault(path, status(503));
    const endpoint = await createEndpoint(ctx.api, {
      tenantId,
      url: ctx.receiver.url(path),
      eventTypes: ['ping.sent'],
    });
    const started = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < N; i += 1) {
      ids.push((await publishOk(ctx.api, { type: 'ping.sent', tenantId, data: { i } })).id);
    }
    // Every delivery ends `failed`: those sent before the breaker opened run the schedule and end on
    // the webhook DLQ; those dispatched once dispatch saw it open wait in the endpoint's backlog and
    // expire there (adrs/0011), counted in aggregate rather than dead-lettered one by one. How many
    // of each depends on how fast dispatch sees the breaker.
    const ended = await waitUntil(
      () => Promise.all(ids.map((id) => deliveriesOf(ctx.api, id))),
      (all) => all.every((h) => h.deliveries[0]?.state === 'failed'),
      { timeoutMs: TIMEOUT_MS, intervalMs: 500, description: `${N} deliveries failed` },
    );
    const expiredIds = ids.filter((_, i) => ended[i]!.deliveries[0]?.lastError === 'expired_in_backlog');
    const deadLettered = N - expiredIds.length;
    expect(deadLettered).toBeGreaterThanOrEqual(1);
    await dlqHolds(WEBHOOK_DLQ, deadLettered);
    await peekHidesNothing(WEBHOOK_DLQ, deadLettered);

    commands = 0;
    const stats = await json<Stats>('dlq', 'stats', WEBHOOK_DLQ);
    const toCause = commands;
    // The breaker opens after a few failures, so later deliveries may end with another last error
    // (the endpoint's open breaker): the top group names the endpoint and the 503, and the endpoint
    // dimension accounts for every message.
    expect(stats.groups[0], JSON.stringify(stats.groups)).toMatchObject({
      reason: 'retries_exhausted',
      errorClass: 'http_503',
      endpointId: endpoint.id,
      type: 'ping.sent',
      tenantId,
    });
    expect(stats.by.endpointId).toEqual([
      { value: endpoint.id, count: deadLettered, exampleId: expect.any(String) },
    ]);
    // The metrics name the endpoint (its attempts, none delivered).
    const metrics = await json<{
      endpoints: Array<{ endpointId: string; attempts: number; delivered: number }>;
    }>('metrics');
    const counted = metrics.endpoints.find((e) => e.endpointId === endpoint.id);
    expect(counted?.attempts).toBeGreaterThanOrEqual(N);
    expect(counted?.delivered).toBe(0);
    const listed = await herald('endpoints', 'list', '--tenant', tenantId);
    expect(listed.stdout).toMatch(new RegExp(`${endpoint.id}\\s+yes\\s+(failing|open)`));

    // Recovery (runbooks/webhook-delivery-failing.md): the receiver is back; redrive the webhook DLQ.
    ctx.receiver.setDefault(path, ok);
    const before = ctx.receiver.accepted(path).length;
    expect(before).toBe(0);
    const redriven = await json<{ moved: number }>('dlq', 'redrive', WEBHOOK_DLQ);
    expect(redriven.moved).toBe(deadLettered);
    // The expired ones are replayed to the endpoint (the runbook's replay by window, here one by one
    // so the dead-lettered ones are not sent twice).
    for (const id of expiredIds) {
      const replayed = await ctx.api.post(`/v1/events/${id}/replay`, { endpointId: endpoint.id });
      expect(replayed.status).toBe(202);
    }
    const accepted = await waitUntil(
      () => ctx.receiver.accepted(path),
      (a) => new Set(a.map((w) => w.webhookId)).size === N,
      { timeoutMs: TIMEOUT_MS, description: `${N} events accepted after the redrive` },
    );
    expect(accepted.map((w) => w.webhookId).sort()).toEqual([...ids].sort()); // each once
    expect(await held(WEBHOOK_DLQ)).toEqual({ visible: 0, inFlight: 0 });
    record({
      drill: DRILL,
      case: 'a receiver down: stats names the endpoint and http_503; after recovery a redrive delivers each once',
      injected: `a receiver answering 503 to everything; ${N} events`,
      expected:
        'dlq stats names retries_exhausted / http_503 / the endpoint; recovery + redrive (and a replay of those expired in the backlog) deliver each once',
      observed: `top group ${stats.groups[0]?.reason}/${stats.groups[0]?.errorClass}/${stats.groups[0]?.endpointId} ×${stats.groups[0]?.count}; ${deadLettered} dead-lettered, ${expiredIds.length} expired in the backlog`,
      counts: {
        commandsToCause: toCause,
        messages: N,
        deadLettered,
        expiredInBacklog: expiredIds.length,
        acceptedOnce: accepted.length,
        recoverSeconds: Math.round((Date.now() - started) / 1000),
      },
    });
  });
});
