import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addValues,
  emptyTally,
  endpointCounts,
  jobCounts,
  LATENCY_SAMPLE,
  latencySummary,
  restoreTally,
} from '../../local/metric-tally.js';
import { MetricsView, parseEmfLine } from '../../local/metrics.js';

const start = new Date('2026-12-07T10:00:00Z');

describe('metric tally', () => {
  it('names the job that fails: counts per job-<name> function', () => {
    let state = emptyTally(start);
    state = addValues(state, [{ name: 'JobsProcessed', value: 3, unit: 'Count' }], 'job-invoice');
    state = addValues(state, [{ name: 'JobsFailed', value: 7, unit: 'Count' }], 'job-classify');
    state = addValues(state, [{ name: 'EventsPublished', value: 1, unit: 'Count' }], 'ingest');
    expect(jobCounts(state)).toEqual([
      { job: 'classify', processed: 0, failed: 7, deadLettered: 0, duplicatesSkipped: 0 },
      { job: 'invoice', processed: 3, failed: 0, deadLettered: 0, duplicatesSkipped: 0 },
    ]);
    expect(state.totals).toEqual({ JobsProcessed: 3, JobsFailed: 7, EventsPublished: 1 });
  });

  it('counts per endpoint when the document carries endpointId, failing ones first', () => {
    let state = emptyTally(start);
    state = addValues(
      state,
      [
        { name: 'WebhookAttempts', value: 1, endpointId: 'ep_ok' },
        { name: 'WebhookDelivered', value: 1, endpointId: 'ep_ok' },
        { name: 'WebhookAttempts', value: 1, endpointId: 'ep_down' },
        { name: 'WebhookRetriesScheduled', value: 1, endpointId: 'ep_down' },
      ],
      'dispatch',
    );
    expect(endpointCounts(state).map((e) => e.endpointId)).toEqual(['ep_down', 'ep_ok']);
    expect(endpointCounts(state)[0]).toMatchObject({ attempts: 1, retries: 1, delivered: 0 });
  });

  it('reads the endpoint from a single-metric document as Powertools prints it (delivery-attempt.ts)', () => {
    const line =
      '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"Herald","Dimensions":[["service"]],"Metrics":[{"Name":"WebhookDelivered","Unit":"Count"}]}]},"endpointId":"ep_1","service":"herald","WebhookDelivered":1}';
    const state = addValues(emptyTally(start), parseEmfLine(line), 'dispatch');
    expect(endpointCounts(state)).toEqual([
      { endpointId: 'ep_1', attempts: 0, delivered: 1, retries: 0, failed: 0 },
    ]);
  });

  it('keeps latencies out of the totals and summarises them as percentiles', () => {
    let state = emptyTally(start);
    const values = Array.from({ length: 100 }, (_, i) => ({
      name: 'DeliveryLatency',
      value: i + 1,
      unit: 'Milliseconds',
    }));
    state = addValues(state, values, 'dispatch');
    expect(state.totals).toEqual({});
    expect(latencySummary(state.latencySamples.DeliveryLatency ?? [])).toEqual({
      count: 100,
      p50: 50,
      p95: 95,
      p99: 99,
      max: 100,
    });
  });

  it('keeps only the most recent latency sample', () => {
    let state = emptyTally(start);
    for (let i = 0; i < LATENCY_SAMPLE + 10; i += 1) {
      state = addValues(state, [{ name: 'DeliveryLatency', value: i, unit: 'Milliseconds' }], undefined);
    }
    expect(state.latencySamples.DeliveryLatency).toHaveLength(LATENCY_SAMPLE);
    expect(state.latencySamples.DeliveryLatency?.[0]).toBe(10);
  });

  it('a percentile is one of the values, and p50 ≤ p95 ≤ p99 ≤ max', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 300 }),
        (values) => {
          const s = latencySummary(values)!;
          expect(values).toContain(s.p50);
          expect(s.p50).toBeLessThanOrEqual(s.p95);
          expect(s.p95).toBeLessThanOrEqual(s.p99);
          expect(s.p99).toBeLessThanOrEqual(s.max);
          expect(s.max).toBe(Math.max(...values));
        },
      ),
    );
  });

  it('restores only a well-formed saved tally', () => {
    const state = addValues(emptyTally(start), [{ name: 'JobsFailed', value: 1 }], 'job-a');
    expect(restoreTally(JSON.parse(JSON.stringify(state)))).toEqual(state);
    expect(restoreTally({ totals: [] })).toBeUndefined();
    expect(restoreTally(null)).toBeUndefined();
  });
});

describe('MetricsView with a save file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-metrics-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const emf = (values: Record<string, number>) =>
    JSON.stringify({
      _aws: {
        Timestamp: 0,
        CloudWatchMetrics: [
          {
            Namespace: 'Herald',
            Dimensions: [['service']],
            Metrics: Object.keys(values).map((Name) => ({ Name, Unit: 'Count' })),
          },
        ],
      },
      service: 'herald',
      ...values,
    });
  const sources = (errors: number) => ({
    queues: () => [],
    functions: () => [{ name: 'job-invoice', invocations: 5, errors, workers: 1, durationMs: 10 }],
    executions: () => ({}),
  });

  it('carries counts, per-job counts and function errors across a restart', async () => {
    const file = join(dir, 'metrics.json');
    const first = new MetricsView(sources(2), file);
    first.record(emf({ JobsFailed: 4 }), 0, 'job-invoice');
    const since = (first.snapshot() as { countingSince: string }).countingSince;
    await first.close(); // saves

    const second = new MetricsView(sources(1), file);
    second.record(emf({ JobsFailed: 1 }), 0, 'job-invoice');
    const snap = second.snapshot() as {
      persisted: boolean;
      countingSince: string;
      metrics: Record<string, number>;
      jobs: Array<{ job: string; failed: number }>;
      functions: Array<{ name: string; errors: number; invocations: number }>;
    };
    expect(snap.persisted).toBe(true);
    expect(snap.countingSince).toBe(since);
    expect(snap.metrics.JobsFailed).toBe(5);
    expect(snap.jobs).toEqual([expect.objectContaining({ job: 'invoice', failed: 5 })]);
    expect(snap.functions[0]).toMatchObject({ name: 'job-invoice', errors: 3, invocations: 10 });
  });

  it('a corrupt save file starts the counts afresh', () => {
    const file = join(dir, 'corrupt.json');
    writeFileSync(file, '{not json');
    const view = new MetricsView(sources(0), file);
    expect((view.snapshot() as { metrics: Record<string, number> }).metrics).toEqual({});
  });

  it('without a save file says the counts are not kept', () => {
    const view = new MetricsView(sources(0));
    expect((view.snapshot() as { persisted: boolean }).persisted).toBe(false);
  });
});
