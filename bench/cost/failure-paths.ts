/**
 * The failure paths' cost per million deliveries (issue 19, adrs/0011): an endpoint that is down for a
 * whole outage, before (one retry workflow per delivery) and after (the backlog and one recovery per
 * endpoint), and a delivery whose first attempt fails, before (every retry in the workflow) and after
 * (the first retries in the SQS retry lane), priced by the delivery model itself. Counts per delivery
 * come from the code's own constants and are checked against drill 14's counted figures
 * (docs/reliability.md).
 */
import { RETRY_SCHEDULE_SECONDS } from '../../lambdas/webhooks/backoff.js';
import { deliveryCost, MILLION, type ModelInputs, retryPlan } from './model.js';
import { type PriceKey, type PriceTable, unitPrice } from './prices.js';

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
  /** Standard executions started per delivery. */
  readonly executionsPerDelivery: number;
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
    executionsPerDelivery: 1,
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
    executionsPerDelivery: (1 + earlyWorkflows) / deliveries,
    transitionsPerDelivery: transitions / deliveries,
    invocationsPerDelivery: invocations / deliveries,
  };
}

/**
 * A delivery whose first attempt failed, its retries succeeding `successRate` of the time: what the
 * failure adds to the delivery by the model (model.ts `deliveryCost` at 100 % first-attempt failures
 * less at 0 %): the retries' transitions, invocations, SQS hops, durations, reads and writes. With
 * `inputs.retryLaneHops` the leading retries run in the SQS retry lane; without, every retry in the
 * workflow (the design before the lane).
 */
function firstAttemptFails(inputs: ModelInputs, prices: PriceTable, successRate = 0.5): PathCost {
  const shaped = { ...inputs, retrySuccessRate: successRate };
  const failed = deliveryCost(shaped, prices, 'herald-fast-path', 1);
  const first = deliveryCost(shaped, prices, 'herald-fast-path', 0);
  const perDelivery = (key: PriceKey, bill: typeof failed) =>
    bill.items.filter((i) => i.price === key).reduce((sum, i) => sum + i.quantityPerMillion, 0) / MILLION;
  const laneRetries = inputs.retryLaneHops?.length ?? 0;
  return {
    label:
      laneRetries > 0
        ? `retries 1–${laneRetries} in the SQS retry lane, the workflow from retry ${laneRetries + 1}`
        : 'one retry workflow per failed delivery (before the retry lane)',
    perMillionUsd: failed.totalUsdPerMillion - first.totalUsdPerMillion,
    openExecutions: 0,
    executionsPerDelivery: retryPlan(shaped).workflowStarted,
    transitionsPerDelivery: perDelivery('stepFunctionsStandardTransition', failed),
    invocationsPerDelivery: perDelivery('lambdaRequest', failed) - perDelivery('lambdaRequest', first),
  };
}

/** Issue 19's target for a failed first attempt, retries succeeding half the time. */
const FIRST_ATTEMPT_FAILS_TARGET_USD = 30;
/** ...and for an endpoint down, per day of outage. */
const DEAD_ENDPOINT_DAY_TARGET_USD = 5;

const HOUR = 3_600;
const OUTAGES: ReadonlyArray<{ readonly name: string; readonly seconds: number }> = [
  { name: 'an hour', seconds: HOUR },
  { name: 'a day', seconds: 24 * HOUR },
  { name: '5 days', seconds: 5 * 24 * HOUR },
];

const usd = (v: number): string => `$${v.toFixed(2)}`;
const met = (figure: number, target: number): string =>
  figure <= target ? `yes: ${usd(target - figure)} under` : `no: ${usd(figure - target)} over`;

/**
 * The failure paths, before and after, and issue 19's two cost targets checked by the same model in
 * the same run. `inputs` carries the retry lane (inputs.ts `retryLaneHops`); the "before" rows drop it.
 */
function renderFailurePaths(inputs: ModelInputs, prices: PriceTable, perSecond = 50): string {
  const rows: string[] = [];
  const row = (path: string, cost: PathCost, open: string) =>
    `| ${path} | ${cost.label} | ${cost.perMillionUsd.toFixed(2)} | ${open} | ${cost.executionsPerDelivery.toPrecision(3)} | ${cost.transitionsPerDelivery.toPrecision(3)} | ${cost.invocationsPerDelivery.toPrecision(3)} |`;
  let deadDay: { before: PathCost; after: PathCost } | undefined;
  for (const outage of OUTAGES) {
    const before = perDeliveryWorkflows(prices, { seconds: outage.seconds, perSecond });
    const after = backlogAndRecovery(prices, { seconds: outage.seconds, perSecond });
    if (outage.seconds === 24 * HOUR) deadDay = { before, after };
    for (const path of [before, after])
      rows.push(row(`endpoint down ${outage.name}`, path, path.openExecutions.toLocaleString('en-US')));
  }
  const failedBefore = firstAttemptFails({ ...inputs, retryLaneHops: [] }, prices);
  const failed = firstAttemptFails(inputs, prices);
  const failedPath = 'first attempt fails, retries succeed 50% of the time';
  rows.push(row(failedPath, failedBefore, '—'), row(failedPath, failed, '—'));
  const lines = [
    '### Failure paths (per million deliveries)',
    '',
    `An endpoint receiving ${perSecond} deliveries/s while it is down: orchestration, invocations and the backlog's DynamoDB writes (the dispatch invocation every delivery costs anyway is left out); open executions are at the outage's end. A failed first attempt: everything its retries add to the delivery by the model above (transitions, invocations and their time, SQS hops, reads and writes, the DLQ send), per million failed deliveries.`,
    '',
    '| path | design | USD per million | open executions | executions started per delivery | transitions per delivery | invocations per delivery |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    '#### The targets of issue 19',
    '',
    '| target | before | now | met? |',
    '|---|---:|---:|---|',
  ];
  if (deadDay !== undefined)
    lines.push(
      `| an endpoint down a day: at most ${usd(DEAD_ENDPOINT_DAY_TARGET_USD)} per million deliveries | ${usd(deadDay.before.perMillionUsd)} | ${usd(deadDay.after.perMillionUsd)} | ${met(deadDay.after.perMillionUsd, DEAD_ENDPOINT_DAY_TARGET_USD)} |`,
    );
  lines.push(
    `| first attempt fails, retries succeed half the time: at most ${usd(FIRST_ATTEMPT_FAILS_TARGET_USD)} per million failed deliveries | ${usd(failedBefore.perMillionUsd)} | ${usd(failed.perMillionUsd)} | ${met(failed.perMillionUsd, FIRST_ATTEMPT_FAILS_TARGET_USD)} |`,
  );
  return lines.join('\n');
}

export type { Outage, PathCost };
export {
  backlogAndRecovery,
  FIRST_ATTEMPT_FAILS_TARGET_USD,
  firstAttemptFails,
  perDeliveryWorkflows,
  probesIn,
  renderFailurePaths,
};
