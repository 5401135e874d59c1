/**
 * Drill 15 — kill and restart with `--data` (issue 19 item 7, adrs/0011): the local runtime is stopped
 * while deliveries to a failing endpoint are mid-schedule (some in their own retry workflows, most
 * parked behind the endpoint's recovery) and started again on the same data directory. Its workflow
 * executions resume from their last Wait, so every delivery still arrives once the receiver is back:
 * nothing is left `retrying` past its due time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldApi } from '../support/api.js';
import { createEndpoint, deliveriesOf, publishOk, uniqueTenant } from '../support/fixtures.js';
import { ok, status, TestReceiver } from '../support/receiver.js';
import { record } from '../support/report.js';
import { sharedAssembly, skipReason } from '../support/target.js';
import { waitUntil } from '../support/wait.js';

const DRILL = '15 restart resumes';
const skip = skipReason(DRILL, 'the local runtime (it is stopped and started again)') !== undefined;
/** 3 s, 18 s, 72 s...: the second retry waits well past the restart. */
const TIME_SCALE = 0.01;
/** Published once the breaker is open: they are parked behind the endpoint's recovery. */
const PARKED = 14;
/** Failing deliveries published at most before the breaker opens. */
const MAX_BEFORE_OPEN = 60;
const NAME = 'restart';

type Runtime = Awaited<ReturnType<typeof import('../../../local/runtime.js')['startHerald']>>;

describe.skipIf(skip)(DRILL, () => {
  const receiver = new TestReceiver();
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-restart-'));
  let runtime: Runtime | undefined;

  beforeAll(async () => {
    await receiver.start();
  });
  afterAll(async () => {
    await runtime?.stop();
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<HeraldApi> {
    const { startHerald } = await import('../../../local/runtime.js');
    runtime = await startHerald({
      port: 0,
      timeScale: TIME_SCALE,
      quiet: process.env.HERALD_E2E_VERBOSE !== '1',
      skipSynth: true,
      outdir: await sharedAssembly(TIME_SCALE),
      stateFile: null,
      dataDir,
    });
    return new HeraldApi(runtime.apiUrl.replace(/\/$/, ''), runtime.adminApiKey);
  }

  it('executions running when the runtime stopped resume after a restart: every delivery arrives', {
    timeout: 300_000,
  }, async () => {
    receiver.setDefault(NAME, status(500));
    let api = await start();
    const tenantId = uniqueTenant('restart');
    const endpoint = await createEndpoint(api, {
      tenantId,
      url: receiver.url(NAME),
      eventTypes: ['ping.sent'],
    });
    const ids: string[] = [];
    const publish = async (i: number) =>
      ids.push((await publishOk(api, { type: 'ping.sent', tenantId, data: { i } })).id);
    // Some fail inline and retry in their own workflows until the breaker opens (each dispatcher
    // judges from its own cached copy of the health, so it can take more than the threshold); the
    // rest are parked behind the endpoint's recovery.
    const breaker = async () =>
      (await api.get<{ health: { breaker: string } }>(`/v1/endpoints/${endpoint.id}`)).body.health.breaker;
    for (let i = 0; (await breaker()) !== 'open'; i++) {
      if (i >= MAX_BEFORE_OPEN) throw new Error(`the breaker did not open after ${i} failing deliveries`);
      await publish(i);
      await new Promise((r) => setTimeout(r, 300));
    }
    // Past every dispatcher's cached copy of the health (HERALD_HEALTH_CACHE_MS, 1 s).
    await new Promise((r) => setTimeout(r, 1_500));
    for (let i = 0; i < PARKED; i++) await publish(1000 + i);
    const events = ids.length;
    await waitUntil(
      () => Promise.all(ids.map(async (id) => (await deliveriesOf(api, id)).deliveries[0])),
      (all) => all.every((d) => d?.state === 'retrying'),
      { timeoutMs: 60_000, description: 'every delivery retrying or parked' },
    );
    const view = await api.get<{ backlog: { count: number } }>(`/v1/endpoints/${endpoint.id}`);
    const parkedBefore = view.body.backlog.count;
    await runtime!.stop();
    runtime = undefined;

    receiver.setDefault(NAME, ok);
    const restartedAt = Date.now();
    api = await start();
    const after = await waitUntil(
      () => Promise.all(ids.map(async (id) => (await deliveriesOf(api, id)).deliveries[0])),
      (all) => all.every((d) => d?.state === 'delivered'),
      { timeoutMs: 180_000, intervalMs: 500, description: 'every delivery delivered after the restart' },
    );
    const accepted = new Set(receiver.accepted(NAME).map((r) => r.webhookId));
    const counts = {
      events,
      parkedBeforeStop: parkedBefore,
      ownWorkflowsBeforeStop: events - parkedBefore,
      deliveredAfterRestart: after.filter((d) => d?.state === 'delivered').length,
      acceptedIds: ids.filter((id) => accepted.has(id)).length,
      secondsToDeliverAll: Math.round((Date.now() - restartedAt) / 1000),
    };
    record({
      drill: DRILL,
      case: 'executions running when the runtime stopped resume after a restart: every delivery arrives',
      injected: `${events} events to an endpoint answering 500 (${PARKED} after its breaker opened); the runtime stopped mid-schedule and started again on its data directory with the receiver back`,
      expected: `${events} delivered, none left retrying`,
      observed: `${counts.deliveredAfterRestart} delivered (${parkedBefore} were parked, ${counts.ownWorkflowsBeforeStop} in their own workflows) ${counts.secondsToDeliverAll} s after the restart`,
      counts,
    });
    expect(counts.deliveredAfterRestart).toBe(events);
    expect(counts.acceptedIds).toBe(events);
    expect(parkedBefore).toBeGreaterThan(0);
  });
});
