/**
 * A job that throws: every DLQ message says why (the last error's class and message), and the event
 * records which jobs ran and what they emitted. Against dynalite and fauxqs (test/support/harness.ts).
 */
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { defineJob } from '../../../lambdas/jobs/runner.js';
import { newId } from '../../../lambdas/shared/ids.js';
import type { HeraldEvent } from '../../../lambdas/shared/model.js';
import { listJobRuns } from '../../../lambdas/shared/store/job-runs.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../../support/factories.js';
import { type Harness, receiveAll, startHarness } from '../../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  process.env.HERALD_JOB_MAX_RECEIVE_COUNT = '3';
});
afterAll(async () => {
  delete process.env.HERALD_JOB_MAX_RECEIVE_COUNT;
  await h?.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const upload = (): HeraldEvent => ({
  id: newId('evt'),
  type: 'upload.completed',
  tenantId: 't_runs',
  createdAt: new Date().toISOString(),
  data: { uploadId: 'u_1' },
});

function classifyUpload(data: Record<string, unknown>): number {
  // The bug the drill plants: `size` is not in the payload.
  return (data.size as { bytes: number }).bytes;
}

const buggy = defineJob({
  name: 'classify',
  handle: async (event) => ({ result: classifyUpload(event.data) }),
});

/** Every line the job's logger writes during `run`. */
async function logged(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return write(chunk, ...(rest as []));
    });
  }
  await run().catch(() => undefined);
  return lines.flatMap((l) => l.split('\n')).flatMap((l) => (l.startsWith('{') ? [JSON.parse(l)] : []));
}

describe('a job that throws', () => {
  it('before the last receive: retried by SQS, logged with the job and a stack into the job’s code', async () => {
    await receiveAll(h.sqs, h.queues.workDlq, 60);
    const event = upload();
    const record = sqsRecord({ body: event, receiveCount: 1 });
    const lines = await logged(() => buggy(sqsEvent([record]), lambdaContext()));
    await expect(buggy(sqsEvent([record]), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);
    const failed = lines.find((l) => l.message === 'job record failed');
    expect(failed).toMatchObject({
      job: 'classify',
      eventId: event.id,
      errorClass: 'TypeError',
      receiveCount: 1,
    });
    expect(String(failed?.stack).split('\n')[1]).toMatch(/at classifyUpload \(.*last-receive\.test\.ts:\d+/);
    expect(await receiveAll(h.sqs, h.queues.workDlq, 60)).toEqual([]);
    expect(await listJobRuns(event.id)).toEqual([
      expect.objectContaining({ job: 'classify', state: 'failed', errorClass: 'TypeError', attempts: 1 }),
    ]);
  });

  it('on the last receive: sent to the DLQ by the runner with the last error’s class and message', async () => {
    await receiveAll(h.sqs, h.queues.workDlq, 60);
    const event = upload();
    const record = sqsRecord({ body: event, receiveCount: 3 });
    const response = await buggy(sqsEvent([record]), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    const [dead, ...more] = await receiveAll(h.sqs, h.queues.workDlq, 60);
    expect(more).toEqual([]);
    const attributes = Object.fromEntries(
      Object.entries(dead?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
    );
    expect(attributes).toMatchObject({
      'herald-job': 'classify',
      'herald-error-class': 'TypeError',
      'herald-retried': 'true',
      'herald-receive-count': '3',
    });
    expect(attributes['herald-error']).toMatch(/Cannot read properties of undefined/);
    expect(attributes['herald-error-code']).toBeUndefined();
    expect(dead?.Body).toBe(record.body);
    expect(await listJobRuns(event.id)).toEqual([
      expect.objectContaining({ job: 'classify', state: 'dead_lettered', attempts: 3 }),
    ]);
  });
});

describe('job runs of an event', () => {
  it('records a completed run with what it emitted, and a late failure report does not hide it', async () => {
    const event = upload();
    const emitter = defineJob({
      name: 'tagger',
      handle: async () => ({ emit: [{ type: 'upload.tagged', data: { tags: ['a'] } }] }),
    });
    await emitter(sqsEvent([sqsRecord({ body: event })]), lambdaContext());
    const [run] = await listJobRuns(event.id);
    expect(run).toMatchObject({ job: 'tagger', state: 'completed', attempts: 1 });
    expect(run?.emitted).toHaveLength(1);
    expect(run?.emitted?.[0]).toMatch(/^evt_/);

    const failing = defineJob({
      name: 'tagger',
      handle: async () => {
        throw new TypeError('late');
      },
    });
    // Another job definition with the same name and a fresh idempotency store would run again; the
    // record of the completed run stays.
    await failing(sqsEvent([sqsRecord({ body: event })]), lambdaContext()).catch(() => undefined);
    expect((await listJobRuns(event.id))[0]).toMatchObject({ state: 'completed' });
  });
});
