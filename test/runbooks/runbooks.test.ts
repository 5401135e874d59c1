/**
 * Every runbook's ```sh local blocks, run as written against the local runtime with the failure the
 * runbook is about injected: diagnosis while the failure is live, then the fix, then recovery, then
 * verification — and the recovery is checked where it is checkable (DLQ drained, jobs processed,
 * webhook delivered). A runbook whose commands stop working fails here.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeraldLocal, startHerald } from '../../local/runtime.js';
import { HeraldApi } from '../e2e/support/api.js';
import {
  createEndpoint,
  deliveriesOf,
  dlqs,
  expectStatus,
  orderPlaced,
  publish,
  publishOk,
  tenantEvents,
  uniqueTenant,
} from '../e2e/support/fixtures.js';
import { eventMessage } from '../e2e/support/queues.js';
import { ok, status, TestReceiver } from '../e2e/support/receiver.js';
import { settle, waitUntil } from '../e2e/support/wait.js';
import { JobLocks } from './support/job-locks.js';
import { localBlocks, type Phase, readRunbook, runbookFiles } from './support/runbook.js';
import { projectPath, runBash, type ShellResult } from './support/shell.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** The whole webhook retry schedule (≈ 28 h) in seconds; SQS visibility timeouts at their 1 s floor. */
const TIME_SCALE = 0.0001;
const BLOCK_TIMEOUT_MS = 60_000;
const JOB_DLQ = 'job-invoice-dlq';
const JOB = 'invoice';

interface Vars {
  readonly TENANT?: string;
  readonly EVENT_ID?: string;
  readonly ENDPOINT_ID?: string;
  readonly DLQ?: string;
}

interface QueueView {
  readonly logicalId?: string;
  readonly name?: string;
  readonly isDlq?: boolean;
  readonly visible?: number;
  readonly inFlight?: number;
  readonly delayed?: number;
}

let herald: HeraldLocal;
let api: HeraldApi;
let receiver: TestReceiver;
let locks: JobLocks;
let workQueueId: string;

beforeAll(async () => {
  receiver = new TestReceiver();
  await receiver.start();
  // Its own assembly directory (inside the project, so bundles resolve node_modules); no local.json.
  herald = await startHerald({
    port: 0,
    timeScale: TIME_SCALE,
    quiet: true,
    outdir: resolve(ROOT, `cdk.out.runbooks-${TIME_SCALE}`),
    stateFile: null,
  });
  api = new HeraldApi(herald.apiUrl.replace(/\/$/, ''), herald.adminApiKey);
  workQueueId = onlyKey(herald.queues, (id) => /invoice/i.test(id) && !/dlq/i.test(id));
  locks = new JobLocks(
    herald.dynamodbEndpoint,
    herald.tables[onlyKey(herald.tables, (id) => /idempotency/i.test(id))]!,
    herald.functions[onlyKey(herald.functions, (id) => /invoice/i.test(id))]!,
    JOB,
  );
  // The lock format must be the one the job really uses: check it against a record the job wrote.
  const tenant = uniqueTenant('warmup');
  const warm = await publishOk(api, { type: 'order.placed', tenantId: tenant, data: orderPlaced('w-1') });
  await waitUntil(
    () => invoiced(tenant),
    (n) => n === 1,
    { description: 'the warm-up order invoiced' },
  );
  expect(await locks.status(warm.id)).toBe('COMPLETED');
});

afterAll(async () => {
  locks?.close();
  await receiver?.stop();
  await herald?.stop();
});

function onlyKey(record: Readonly<Record<string, string>>, match: (key: string) => boolean): string {
  const keys = Object.keys(record).filter(match);
  if (keys.length !== 1) throw new Error(`expected one match in ${Object.keys(record).join(', ')}`);
  return keys[0]!;
}

/** Runs the runbook's ```sh local blocks of one phase in order; each must exit 0. */
async function runPhase(
  runbook: string,
  phase: Phase,
  vars: Vars,
  after?: (result: ShellResult, script: string) => Promise<void>,
): Promise<ShellResult[]> {
  const all = localBlocks(readRunbook(ROOT, runbook));
  const results: ShellResult[] = [];
  for (const [index, block] of all.entries()) {
    if (block.phase !== phase) continue;
    const result = await runBash(block.script, {
      cwd: ROOT,
      timeoutMs: BLOCK_TIMEOUT_MS,
      env: {
        PATH: projectPath(ROOT),
        // Set explicitly, so the repository's .herald/local.json (another runtime) is never used.
        HERALD_URL: herald.apiUrl,
        HERALD_API_KEY: herald.adminApiKey,
        HERALD_METRICS_URL: herald.metricsUrl,
        NO_COLOR: '1',
        ...(vars as Record<string, string>),
      },
    });
    if (result.code !== 0) {
      throw new Error(
        `${runbook} local block #${index} (line ${block.line}, "${block.section}") exited ` +
          `${result.timedOut ? 'by timeout' : (result.code ?? result.signal)} after ${result.ms} ms\n` +
          `--- script\n${block.script}--- stdout\n${result.stdout}--- stderr\n${result.stderr}`,
      );
    }
    results.push(result);
    await after?.(result, block.script);
  }
  expect(results.length, `${runbook} has ${phase} blocks`).toBeGreaterThan(0);
  return results;
}

const invoiced = async (tenant: string): Promise<number> =>
  (await tenantEvents(api, tenant)).filter((e) => e.type === 'invoice.created').length;

async function dlqDepth(name: string): Promise<number> {
  const queue = (await dlqs(api)).find((q) => q.name === name) as
    | { depth: number; inFlight?: number }
    | undefined;
  if (queue === undefined) throw new Error(`no DLQ ${name}`);
  return queue.depth + (queue.inFlight ?? 0);
}

function queuesOf(snapshot: unknown): QueueView[] {
  const queues = (snapshot as { queues?: unknown }).queues;
  return Array.isArray(queues) ? (queues as QueueView[]) : [];
}

const pending = (q: QueueView | undefined): number =>
  q === undefined ? Number.NaN : (q.visible ?? 0) + (q.inFlight ?? 0) + (q.delayed ?? 0);

/** Messages in the invoice work queue, from the runtime's own metrics view. */
const workQueuePending = (): number =>
  pending(queuesOf(herald.metrics()).find((q) => q.logicalId === workQueueId));

/**
 * Orders whose job fails on every receive until `locks.unlock` (see job-locks.ts), put straight on the
 * invoice work queue as SNS raw delivery would. Returns their event ids.
 */
async function injectLockedOrders(tenant: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const message = eventMessage('order.placed', tenant, orderPlaced(`locked-${i}`));
    await locks.lock(message.id);
    await herald.injectSqsMessage(workQueueId, message.body);
    ids.push(message.id);
  }
  return ids;
}

/** The JSON documents a block printed, in order (each `--json` command prints one, pretty-printed). */
function jsonDocs(result: ShellResult): unknown[] {
  const lines = result.stdout.split('\n');
  const starts = lines.flatMap((line, i) => (/^[[{]/.test(line) ? [i] : []));
  return starts.map((start, n) => JSON.parse(lines.slice(start, starts[n + 1] ?? lines.length).join('\n')));
}

const lastJson = (result: ShellResult): unknown => jsonDocs(result).at(-1);

/** After a redrive: every order invoiced exactly once and the job DLQ empty. */
async function expectJobsRecovered(tenant: string, count: number): Promise<void> {
  await waitUntil(
    async () => ({ invoiced: await invoiced(tenant), dlq: await dlqDepth(JOB_DLQ) }),
    (s) => s.invoiced === count && s.dlq === 0,
    { timeoutMs: 90_000, intervalMs: 250, description: `${count} orders invoiced and ${JOB_DLQ} empty` },
  );
  // Nothing processed twice (idempotency) nor dead-lettered again shortly after.
  const later = await settle(
    async () => ({ invoiced: await invoiced(tenant), dlq: await dlqDepth(JOB_DLQ) }),
    (s) => s.invoiced !== count || s.dlq !== 0,
    2_000,
    250,
  );
  expect(later).toEqual({ invoiced: count, dlq: 0 });
}

function expectVerifiedDlqEmpty(results: ShellResult[], dlq: string): void {
  const listed = results.flatMap(jsonDocs).find((doc) => Array.isArray((doc as { items?: unknown }).items)) as
    | { items: Array<{ name: string; depth: number }> }
    | undefined;
  expect(listed?.items.find((q) => q.name === dlq)?.depth, `${dlq} in the verification output`).toBe(0);
}

describe('runbooks', () => {
  it('every runbook has a scenario here and fences every sh block as local or aws', () => {
    expect(runbookFiles(ROOT)).toEqual(Object.keys(SCENARIOS).sort());
    for (const name of runbookFiles(ROOT)) {
      for (const block of readRunbook(ROOT, name).filter((b) => b.language === 'sh')) {
        expect(['local', 'aws'], `runbooks/${name}:${block.line}`).toContain(block.target);
      }
      expect(localBlocks(readRunbook(ROOT, name)).length, name).toBeGreaterThan(0);
    }
  });
});

const SCENARIOS: Record<string, () => Promise<void>> = {
  'queue-stuck.md': async () => {
    const tenant = uniqueTenant('stuck');
    const ids = await injectLockedOrders(tenant, 3);
    await waitUntil(
      () => herald.metrics(),
      (m) => Number((m as { metrics?: Record<string, number> }).metrics?.JobsFailed ?? 0) > 0,
      { description: 'the invoice job failing' },
    );
    const vars = { TENANT: tenant, EVENT_ID: ids[0]!, DLQ: JOB_DLQ };
    const [metrics] = await runPhase('queue-stuck.md', 'diagnosis', vars);
    // `herald metrics` names queues as the API does (local/names.ts).
    expect(metrics!.stdout).toMatch(/\bjob-invoice\b/);

    // The cause goes away ("fix or wait"); what failed meanwhile went to the DLQ (→ dlq-growing.md).
    for (const id of ids) await locks.unlock(id);
    await waitUntil(workQueuePending, (n) => n === 0, {
      timeoutMs: 60_000,
      description: 'the work queue drained',
    });
    if ((await dlqDepth(JOB_DLQ)) > 0) await runPhase('dlq-growing.md', 'recovery', vars);
    await expectJobsRecovered(tenant, ids.length);

    const [verified] = await runPhase('queue-stuck.md', 'verification', vars);
    const queues = queuesOf(lastJson(verified!));
    expect(pending(queues.find((q) => q.logicalId === workQueueId))).toBe(0);
    expect(queues.filter((q) => q.isDlq && /invoice/i.test(q.logicalId ?? '')).map(pending)).toEqual([0]);
  },

  'dlq-growing.md': async () => {
    const tenant = uniqueTenant('dlq');
    const ids = await injectLockedOrders(tenant, 3);
    await waitUntil(
      () => dlqDepth(JOB_DLQ),
      (n) => n === ids.length,
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: `${ids.length} messages on ${JOB_DLQ}`,
      },
    );
    const vars = { TENANT: tenant, EVENT_ID: ids[0]!, DLQ: JOB_DLQ };
    const [listed, counted, peeked] = await runPhase('dlq-growing.md', 'diagnosis', vars);
    expect(listed!.stdout).toContain(JOB_DLQ);
    // The cause in the top group: the job, and that every receive failed (the lock's error class).
    const top = counted!.stdout.split('\n').find((line) => /^\d+\s/.test(line));
    expect(top).toMatch(/^3\s+retries_exhausted\s+\S+\s+invoice\s/);
    expect(peeked!.stdout).toContain(ids[0]!.slice(0, 12));

    for (const id of ids) await locks.unlock(id);
    const [redriven] = await runPhase('dlq-growing.md', 'recovery', vars);
    expect(redriven!.stdout).toMatch(/moved\s+3/);
    await expectJobsRecovered(tenant, ids.length);
    expectVerifiedDlqEmpty(await runPhase('dlq-growing.md', 'verification', vars), JOB_DLQ);
  },

  'dlq-50k-in-an-hour.md': async () => {
    const tenant = uniqueTenant('burst');
    const ids = await injectLockedOrders(tenant, 30);
    await waitUntil(
      () => dlqDepth(JOB_DLQ),
      (n) => n === ids.length,
      {
        timeoutMs: 90_000,
        intervalMs: 250,
        description: `${ids.length} messages on ${JOB_DLQ}`,
      },
    );
    const vars = { TENANT: tenant, EVENT_ID: ids[0]!, DLQ: JOB_DLQ };
    const [diagnosed] = await runPhase('dlq-50k-in-an-hour.md', 'diagnosis', vars);
    expect(diagnosed!.stdout).toContain(JOB_DLQ);

    for (const id of ids) await locks.unlock(id);
    const [redriven] = await runPhase('dlq-50k-in-an-hour.md', 'recovery', vars);
    expect(redriven!.stdout).toMatch(/moved\s+30/);
    await expectJobsRecovered(tenant, ids.length);
    const verified = await runPhase('dlq-50k-in-an-hour.md', 'verification', vars);
    expectVerifiedDlqEmpty(verified, JOB_DLQ);
    const snapshot = verified.flatMap(jsonDocs).find((doc) => queuesOf(doc).length > 0);
    expect(pending(queuesOf(snapshot).find((q) => q.logicalId === workQueueId))).toBe(0);
  },

  'webhook-delivery-failing.md': async () => {
    const tenant = uniqueTenant('hooks');
    const name = `runbook-${tenant}`;
    receiver.setDefault(name, status(503));
    const endpoint = await createEndpoint(api, {
      tenantId: tenant,
      url: receiver.url(name),
      eventTypes: ['ping.sent'],
    });
    const event = await publishOk(api, { type: 'ping.sent', tenantId: tenant, data: { n: 1 } });
    const failed = await waitUntil(
      async () => (await deliveriesOf(api, event.id)).deliveries[0],
      (d) => d?.state === 'failed',
      { timeoutMs: 120_000, intervalMs: 250, description: 'the delivery failed after its whole schedule' },
    );
    const replayedGeneration = failed!.generation + 1;
    await waitUntil(
      () => dlqDepth('webhook-dlq'),
      (n) => n >= 1,
      { description: 'the webhook DLQ message' },
    );
    const vars = { TENANT: tenant, EVENT_ID: event.id, ENDPOINT_ID: endpoint.id, DLQ: 'webhook-dlq' };
    const diagnosis = await runPhase('webhook-delivery-failing.md', 'diagnosis', vars);
    // Blocks: event + attempts, the tenant's endpoints, the DLQs, the secret rotation.
    expect(diagnosis[0]!.stdout).toMatch(/failed/);
    expect(diagnosis[0]!.stdout).toMatch(/503/);
    expect(diagnosis[1]!.stdout).toContain(endpoint.id);
    expect(diagnosis[2]!.stdout).toContain('webhook-dlq');

    receiver.setDefault(name, ok);
    await runPhase('webhook-delivery-failing.md', 'recovery', vars, async (_result, script) => {
      // Let the replay land before the next block disables the endpoint (it would be `skipped`).
      if (!/\breplay\b/.test(script)) return;
      await waitUntil(
        async () => (await deliveriesOf(api, event.id)).deliveries[0],
        (d) => d?.state === 'delivered' && d.generation === replayedGeneration,
        { timeoutMs: 60_000, intervalMs: 250, description: 'the replayed delivery delivered' },
      );
    });
    expect(receiver.accepted(name).filter((r) => r.webhookId === event.id).length).toBe(1);
    const enabled = expectStatus(
      'get endpoint',
      await api.get<{ enabled: boolean }>(`/v1/endpoints/${endpoint.id}`),
      200,
    );
    expect(enabled.enabled).toBe(true);

    const [verified] = await runPhase('webhook-delivery-failing.md', 'verification', vars);
    const view = lastJson(verified!) as {
      id: string;
      deliveries?: Array<{ endpointId: string; state: string; generation: number }>;
    };
    expect(view.id).toBe(event.id);
    expect(view.deliveries?.find((d) => d.endpointId === endpoint.id)).toMatchObject({
      state: 'delivered',
      generation: replayedGeneration,
    });
  },

  'idempotency-key-collision.md': async () => {
    const tenant = uniqueTenant('idem');
    const key = `collide-${tenant}`;
    const first = await publishOk(
      api,
      { type: 'order.placed', tenantId: tenant, data: orderPlaced('i-1') },
      key,
    );
    const reused = await publish(
      api,
      { type: 'order.placed', tenantId: tenant, data: orderPlaced('i-2') },
      key,
    );
    expect(reused.status).toBe(422);
    expect((reused.body as { code?: string }).code).toBe('idempotency_key_reused');

    const vars = { TENANT: tenant, EVENT_ID: first.id };
    await runPhase('idempotency-key-collision.md', 'diagnosis', vars);
    // The reproduction stored one more event (its first publish; the repeat and the 422 stored none).
    const orders = (await tenantEvents(api, tenant)).filter((e) => e.type === 'order.placed');
    expect(orders).toHaveLength(2);
    await waitUntil(
      () => invoiced(tenant),
      (n) => n === 2,
      { description: 'both orders invoiced' },
    );
    expect(await dlqDepth(JOB_DLQ)).toBe(0);
  },
};

describe.each(Object.keys(SCENARIOS))('runbook %s', (name) => {
  it('its local blocks run and recover the injected failure', { timeout: 180_000 }, async () => {
    await SCENARIOS[name]!();
  });
});
