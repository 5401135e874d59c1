import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CountedPerEvent, ModelInputs } from '../../bench/cost/model.js';
import {
  effectiveBatch,
  eventBridgeMonthly,
  type FixedFacts,
  type Footprint,
  type HeraldVariant,
  heraldMonthly,
  IDLE_RECEIVES_PER_QUEUE_MONTH,
  SVIX_SHAPE,
  svixMonthly,
} from '../../bench/cost/monthly.js';
import { loadPriceTable } from '../../bench/cost/prices.js';

const prices = loadPriceTable(
  join(import.meta.dirname, '..', '..', 'bench', 'cost', 'prices-us-east-1.json'),
);
const profile = { memoryMb: 256, durationMs: 10 };
const counted: CountedPerEvent = {
  source: 'test',
  dynamoWrites: 7,
  dynamoIndexedWrites: 3,
  dynamoConsistentReads: 1,
  dynamoQueries: 0,
  snsPublishes: 2,
  invocations: { authorizer: 1, ingest: 1, job: 1, dispatch: 2 },
};
const inputs: ModelInputs = {
  functions: { authorizer: profile, ingest: profile, job: profile, dispatch: profile, attempt: profile },
  webhookPostMs: 100,
  startExecutionMs: 0,
  jobsPerEvent: 1,
  deliveriesPerEvent: 1,
  sqsBatchSize: 10,
  retryAttempts: 7,
  retrySuccessRate: 0.5,
  counted,
};
const footprint: Footprint = {
  source: 'test',
  appLogBytesPerEvent: 1000,
  accessLogBytesPerRequest: 400,
  platformLogBytesPerInvocation: 300,
  storedByteMonthsPerEvent: 2000,
  webhookRequestBytes: 1000,
};
const fixed: FixedFacts = {
  kmsKeys: 2,
  alarmMetrics: 10,
  dashboards: 1,
  polledQueues: 3,
  provisionedHolders: 3,
  throttleAlarmMetrics: 5,
  customMetrics: 10,
};
const single: HeraldVariant = {
  label: 'single',
  authorizerPerRequest: 0,
  eventsPerRequest: 1,
  billing: 'on-demand',
  utilization: 1,
  platformLogs: false,
};
const line = (bill: { lines: readonly { component: string; usd: number }[] }, prefix: string) =>
  bill.lines.filter((l) => l.component.startsWith(prefix)).reduce((s, l) => s + l.usd, 0);

describe('effectiveBatch', () => {
  it('is one message at low traffic and ten at most', () => {
    expect(effectiveBatch(0.4)).toBeCloseTo(1.008, 6);
    expect(effectiveBatch(10_000)).toBe(10);
  });

  it('shares the messages of one batch request among the 5 pollers', () => {
    expect(effectiveBatch(0.4, 0.02, 10)).toBe(2);
    expect(effectiveBatch(0.4, 1, 10)).toBeCloseTo(2, 6);
    expect(effectiveBatch(4, 1, 10)).toBe(5);
  });
});

describe('heraldMonthly', () => {
  it('bills three SQS requests a message when every batch holds one', () => {
    const bill = heraldMonthly(inputs, prices, footprint, fixed, single, 1_000, 0);
    // 1,000 job messages and 2,000 dispatch messages, a batch each: send, receive, delete.
    expect(line(bill, 'SQS job queue')).toBeCloseTo(3 * 1_000 * 0.4e-6, 5);
    expect(line(bill, 'SQS dispatch queue')).toBeCloseTo(3 * 2_000 * 0.4e-6, 5);
  });

  it('counts the fixed costs whatever the traffic', () => {
    const bill = heraldMonthly(inputs, prices, footprint, fixed, single, 1, 0);
    expect(line(bill, 'SQS idle polling')).toBeCloseTo(3 * IDLE_RECEIVES_PER_QUEUE_MONTH * 0.4e-6, 6);
    expect(line(bill, 'KMS keys')).toBe(2);
    expect(line(bill, 'CloudWatch dashboard')).toBe(3);
    expect(line(bill, 'CloudWatch alarms')).toBeCloseTo(1, 6);
    expect(line(bill, 'CloudWatch custom metrics')).toBeCloseTo(3, 6);
  });

  it('bills storage and PITR for what an event leaves stored, and the log bytes', () => {
    const n = 10_000_000;
    const bill = heraldMonthly(inputs, prices, footprint, fixed, single, n, 0);
    expect(line(bill, 'DynamoDB storage')).toBeCloseTo(((n * 2000) / 1e9) * 0.25, 6);
    expect(line(bill, 'DynamoDB point-in-time')).toBeCloseTo(((n * 2000) / 1e9) * 0.2, 6);
    // Function logs + one access log line per request; no platform lines at WARN.
    expect(line(bill, 'CloudWatch Logs ingestion')).toBeCloseTo(((n * 1400) / 1e9) * 0.5, 6);
    const info = heraldMonthly(inputs, prices, footprint, fixed, { ...single, platformLogs: true }, n, 0);
    expect(line(info, 'CloudWatch Logs ingestion')).toBeGreaterThan(line(bill, 'CloudWatch Logs ingestion'));
  });

  it('divides the per-request costs by the batch, not the per-event ones', () => {
    const n = 10_000_000;
    const one = heraldMonthly(inputs, prices, footprint, fixed, single, n, 0);
    const ten = heraldMonthly(inputs, prices, footprint, fixed, { ...single, eventsPerRequest: 10 }, n, 0);
    expect(line(ten, 'HTTP API requests')).toBeCloseTo(line(one, 'HTTP API requests') / 10, 6);
    expect(line(ten, 'ingest invocations')).toBeCloseTo(line(one, 'ingest invocations') / 10, 6);
    expect(line(ten, 'SNS publishes: the event')).toBeCloseTo(line(one, 'SNS publishes: the event') / 10, 6);
    expect(line(ten, "SNS publishes: the job's follow-up")).toBeCloseTo(
      line(one, "SNS publishes: the job's follow-up"),
      6,
    );
    expect(line(ten, 'DynamoDB writes')).toBeCloseTo(line(one, 'DynamoDB writes'), 6);
    // The job's messages of one request arrive together: batches of 2 instead of 1.
    expect(line(ten, 'SQS job queue')).toBeCloseTo(((n * (1 + 2 / 2)) / 1e6) * 0.4, 4);
  });

  it('prices provisioned capacity at demand / utilisation, never below the minimum', () => {
    const variant: HeraldVariant = { ...single, billing: 'provisioned', utilization: 0.5 };
    const n = 10_000_000;
    const bill = heraldMonthly(inputs, prices, footprint, fixed, variant, n, 0);
    expect(line(bill, 'DynamoDB writes')).toBe(0);
    expect(line(bill, 'DynamoDB provisioned writes')).toBeCloseTo(((10 * n) / 3600 / 0.5) * 0.00065, 4);
    const idle = heraldMonthly(inputs, prices, footprint, fixed, variant, 1, 0);
    expect(line(idle, 'DynamoDB provisioned minimum')).toBeCloseTo(3 * 5 * 730 * (0.00065 + 0.00013), 2);
  });
});

describe('the retry lane and the batching window in a month', () => {
  const lane: ModelInputs = { ...inputs, retryLaneHops: [1, 1, 2.5] };
  const n = 10_000_000;

  it('moves retries 1–3 off Step Functions and polls one more queue', () => {
    const withLane = heraldMonthly(lane, prices, footprint, fixed, single, n, 0.01);
    const without = heraldMonthly(lane, prices, footprint, fixed, { ...single, retryLane: false }, n, 0.01);
    expect(line(withLane, 'delivery: retry workflow transitions')).toBeLessThan(
      line(without, 'delivery: retry workflow transitions') / 5,
    );
    expect(line(withLane, 'delivery: retry lane queue requests')).toBeGreaterThan(0);
    expect(line(without, 'delivery: retry lane')).toBe(0);
    // The same POSTs on the wire: every retry, in the lane or the workflow, is one.
    expect(line(withLane, 'data transfer out')).toBeCloseTo(line(without, 'data transfer out'), 9);
    expect(line(withLane, 'SQS idle polling')).toBeCloseTo(4 * IDLE_RECEIVES_PER_QUEUE_MONTH * 0.4e-6, 6);
    expect(line(without, 'SQS idle polling')).toBeCloseTo(3 * IDLE_RECEIVES_PER_QUEUE_MONTH * 0.4e-6, 6);
    // Once the lane's consumer is in the template, its queue is among the polled ones already.
    const inTemplate = { ...fixed, polledQueues: 4, retryLaneInTemplate: true };
    expect(line(heraldMonthly(lane, prices, footprint, inTemplate, single, n, 0.01), 'SQS idle')).toBeCloseTo(
      line(withLane, 'SQS idle'),
      9,
    );
    expect(withLane.totalUsd).toBeLessThan(without.totalUsd);
  });

  it('a batching window fills the job and dispatch batches at the traffic rate', () => {
    const windowed = heraldMonthly(
      inputs,
      prices,
      footprint,
      fixed,
      { ...single, batchingWindowSeconds: 1 },
      n,
      0,
    );
    const plain = heraldMonthly(inputs, prices, footprint, fixed, single, n, 0);
    const perSecond = n / (730 * 3600);
    // Job messages: 1 an event; a batch holds 1 + rate × 1 s of them: send + (receive + delete) / batch.
    const jobBatch = effectiveBatch(perSecond, 1);
    expect(jobBatch).toBeCloseTo(1 + perSecond, 9);
    expect(line(windowed, 'SQS job queue')).toBeCloseTo(((n * (1 + 2 / jobBatch)) / 1e6) * 0.4, 6);
    expect(line(windowed, 'job invocations')).toBeCloseTo((n / jobBatch / 1e6) * 0.2, 6);
    expect(line(windowed, 'SQS dispatch queue')).toBeLessThan(line(plain, 'SQS dispatch queue'));
    // A window of 0 is no window: a batch gathers for a round trip, as without one.
    const zero = heraldMonthly(
      inputs,
      prices,
      footprint,
      fixed,
      { ...single, batchingWindowSeconds: 0 },
      n,
      0,
    );
    expect(zero.totalUsd).toBeCloseTo(plain.totalUsd, 9);
  });
});

describe('comparisons', () => {
  it('EventBridge bills one API destination invocation per attempt and no Step Functions', () => {
    const bill = eventBridgeMonthly(inputs, prices, footprint, 1_000_000, 0, 5);
    expect(line(bill, 'API destination invocations')).toBeCloseTo(0.2, 6);
    expect(bill.lines.some((l) => /transition/i.test(l.component))).toBe(false);
  });

  it('Svix multi-AZ doubles instance, database and cache', () => {
    const single = svixMonthly(prices, footprint, 1_000_000, SVIX_SHAPE);
    const multi = svixMonthly(prices, footprint, 1_000_000, { ...SVIX_SHAPE, multiAz: true });
    expect(line(multi, 'RDS PostgreSQL')).toBeCloseTo(2 * line(single, 'RDS PostgreSQL'), 6);
    expect(line(multi, 'EC2')).toBeCloseTo(2 * line(single, 'EC2'), 6);
    expect(multi.fixedUsd).toBeGreaterThan(single.fixedUsd);
  });
});
