/**
 * The failure paths' cost per million deliveries (issue 19, adrs/0011): an endpoint that is down for a
 * whole outage, before (one retry workflow per delivery) and after (the backlog and one recovery per
 * endpoint), and a delivery whose first attempt fails. Counts per delivery come from the code's own
 * constants and are checked against drill 14's counted figures (docs/reliability.md).
 */
import { RETRY_SCHEDULE_SECONDS } from '../../lambdas/webhooks/backoff.js';
import { type PriceTable, unitPrice } from './prices.js';

const MILLION = 1_000_000;

interface Outage {
  /** How long the endpoint is down. */
  readonly seconds: number;
  /** Deliveries to it per second meanwhile. */
  readonly perSecond: number;
}

interface PathCost {
  readonly label: string;
  readonly perMillionUsd: number;
  /** Open Standard executions at the outage's end (the account quota is 1,000,000 per region). */
  readonly openExecutions: number;
  readonly transitionsPerDelivery: number;
  readonly invocationsPerDelivery: number;
}

/** Wait + Task + Choice: what one step of either workflow costs in transitions. */
const TRANSITIONS_PER_STEP = 3;
/** The breaker's default threshold: deliveries that start their own workflow before it opens. */
const BEFORE_THE_BREAKER = 5;
/** DynamoDB writes per parked delivery: the delivery, its entry, the head's count (store/backlog.ts). */
const PARK_WRITES = 3;
/** ...and to end it by age: the delivery closed, its entry deleted (the head's count is per page). */
const EXPIRE_WRITES = 2;
/** One consistent query page of 100 entries (~200 bytes each) is 5 read units: 0.05 per entry. */
const QUERY_READS_PER_ENTRY = 0.05;
/** The probe schedule's ceiling (HERALD_MAX_PROBE_INTERVAL_SECONDS). */
const MAX_PROBE_INTERVAL_SECONDS = 3_600;
/** The schedule's span: a parked delivery's default lifetime, and a per-delivery workflow's length. */
const SCHEDULE_SPAN_SECONDS = RETRY_SCHEDULE_SECONDS.reduce((a, b) => a + b, 0);

/** Probes in an outage of `seconds`: the schedule's steps, then one per MAX_PROBE_INTERVAL. */
function probesIn(seconds: number): number {
  let at = 0;
  let probes = 0;
  for (let i = 0; ; i++) {
    at += Math.min(
      RETRY_SCHEDULE_SECONDS[Math.min(i, RETRY_SCHEDULE_SECONDS.length - 1)]!,
      MAX_PROBE_INTERVAL_SECONDS,
    );
    if (at > seconds) return probes;
    probes += 1;
  }
}

/** Before: every delivery runs the whole schedule in its own workflow (1 + 7 steps, 23 transitions). */
function perDeliveryWorkflows(prices: PriceTable, outage: Outage): PathCost {
  const transitions = TRANSITIONS_PER_STEP * RETRY_SCHEDULE_SECONDS.length + 2;
  const invocations = RETRY_SCHEDULE_SECONDS.length;
  const perDelivery =
    transitions * unitPrice(prices, 'stepFunctionsStandardTransition') +
    invocations * unitPrice(prices, 'lambdaRequest');
  return {
    label: 'one workflow per delivery (before)',
    perMillionUsd: perDelivery * MILLION,
    openExecutions: Math.round(outage.perSecond * Math.min(outage.seconds, SCHEDULE_SPAN_SECONDS)),
    transitionsPerDelivery: transitions,
    invocationsPerDelivery: invocations,
  };
}

/** After: deliveries park (writes only); one recovery probes on the schedule; a few workflows before the breaker. */
function backlogAndRecovery(prices: PriceTable, outage: Outage): PathCost {
  const deliveries = outage.perSecond * outage.seconds;
  const probes = probesIn(outage.seconds) + 1;
  const earlyWorkflows = BEFORE_THE_BREAKER;
  const transitions =
    probes * TRANSITIONS_PER_STEP +
    earlyWorkflows * (TRANSITIONS_PER_STEP * RETRY_SCHEDULE_SECONDS.length + 2);
  const invocations = probes + earlyWorkflows * RETRY_SCHEDULE_SECONDS.length;
  // Expiry only ends what outlived its lifetime within the outage.
  const expiredShare = Math.max(0, outage.seconds - SCHEDULE_SPAN_SECONDS) / outage.seconds;
  const writes = PARK_WRITES + expiredShare * EXPIRE_WRITES;
  const total =
    transitions * unitPrice(prices, 'stepFunctionsStandardTransition') +
    invocations * unitPrice(prices, 'lambdaRequest') +
    deliveries * writes * unitPrice(prices, 'dynamoWriteRequestUnit') +
    deliveries * QUERY_READS_PER_ENTRY * unitPrice(prices, 'dynamoReadRequestUnit');
  return {
    label: 'backlog + one recovery per endpoint (adrs/0011)',
    perMillionUsd: (total / deliveries) * MILLION,
    openExecutions: 1 + earlyWorkflows,
    transitionsPerDelivery: transitions / deliveries,
    invocationsPerDelivery: invocations / deliveries,
  };
}

/**
 * A delivery whose first attempt failed, retries succeeding half the time, through today's retry
 * workflow (Wait, Task, Choice per retry; start and end).
 */
function firstAttemptFails(prices: PriceTable, successRate = 0.5): PathCost {
  let expectedRetries = 0;
  for (let k = 1; k <= RETRY_SCHEDULE_SECONDS.length; k++) expectedRetries += (1 - successRate) ** (k - 1);
  const transitions = TRANSITIONS_PER_STEP * expectedRetries + 2;
  const perDelivery =
    transitions * unitPrice(prices, 'stepFunctionsStandardTransition') +
    expectedRetries * unitPrice(prices, 'lambdaRequest');
  return {
    label: `first attempt fails, retries succeed ${Math.round(successRate * 100)}% of the time`,
    perMillionUsd: perDelivery * MILLION,
    openExecutions: 0,
    transitionsPerDelivery: transitions,
    invocationsPerDelivery: expectedRetries,
  };
}

const HOUR = 3_600;
const OUTAGES: ReadonlyArray<{ readonly name: string; readonly seconds: number }> = [
  { name: 'an hour', seconds: HOUR },
  { name: 'a day', seconds: 24 * HOUR },
  { name: '5 days', seconds: 5 * 24 * HOUR },
];

function renderFailurePaths(prices: PriceTable, perSecond = 50): string {
  const rows: string[] = [];
  for (const outage of OUTAGES) {
    for (const path of [
      perDeliveryWorkflows(prices, { seconds: outage.seconds, perSecond }),
      backlogAndRecovery(prices, { seconds: outage.seconds, perSecond }),
    ]) {
      rows.push(
        `| endpoint down ${outage.name} | ${path.label} | ${path.perMillionUsd.toFixed(2)} | ${path.openExecutions.toLocaleString('en-US')} | ${path.transitionsPerDelivery.toPrecision(3)} | ${path.invocationsPerDelivery.toPrecision(3)} |`,
      );
    }
  }
  const failed = firstAttemptFails(prices);
  rows.push(
    `| ${failed.label} | per-delivery retry workflow | ${failed.perMillionUsd.toFixed(2)} | — | ${failed.transitionsPerDelivery.toPrecision(3)} | ${failed.invocationsPerDelivery.toPrecision(3)} |`,
  );
  return [
    '### Failure paths (per million deliveries)',
    '',
    `An endpoint receiving ${perSecond} deliveries/s while it is down; orchestration, invocations and the backlog's DynamoDB writes (the dispatch invocation every delivery costs anyway is left out). Open executions are at the outage's end.`,
    '',
    '| path | design | USD per million | open executions | transitions per delivery | invocations per delivery |',
    '|---|---|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

export type { Outage, PathCost };
export { backlogAndRecovery, firstAttemptFails, perDeliveryWorkflows, probesIn, renderFailurePaths };
