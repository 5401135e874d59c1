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
const EVENTS = 20;
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
    for (let i = 0; i < EVENTS; i++)
      ids.push((await publishOk(api, { type: 'ping.sent', tenantId, data: { i } })).id);
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
      events: EVENTS,
      parkedBeforeStop: parkedBefore,
      ownWorkflowsBeforeStop: EVENTS - parkedBefore,
      deliveredAfterRestart: after.filter((d) => d?.state === 'delivered').length,
      acceptedIds: ids.filter((id) => accepted.has(id)).length,
      secondsToDeliverAll: Math.round((Date.now() - restartedAt) / 1000),
    };
    record({
      drill: DRILL,
      case: 'executions running when the runtime stopped resume after a restart: every delivery arrives',
      injected: `${EVENTS} events to an endpoint answering 500; the runtime stopped mid-schedule and started again on its data directory with the receiver back`,
      expected: `${EVENTS} delivered, none left retrying`,
      observed: `${counts.deliveredAfterRestart} delivered (${parkedBefore} were parked, ${counts.ownWorkflowsBeforeStop} in their own workflows) ${counts.secondsToDeliverAll} s after the restart`,
      counts,
    });
    expect(counts.deliveredAfterRestart).toBe(EVENTS);
    expect(counts.acceptedIds).toBe(EVENTS);
    expect(parkedBefore).toBeGreaterThan(0);
  });
});
