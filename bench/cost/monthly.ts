/**
 * What a month's bill would show (issue 21): the per-event model (model.ts, counted calls) completed
 * with what it left out — SQS batches as they really are at the traffic level, idle polling, DynamoDB
 * storage and point-in-time recovery over the retention period, CloudWatch Logs ingestion (bytes
 * measured per event), alarms, dashboard and custom metrics, KMS keys and requests, data transfer out
 * for the webhook bodies — at a traffic level, fixed costs included. Beside Herald: EventBridge API
 * destinations and a self-hosted Svix, priced from the same dated table. Pure arithmetic.
 */

import { Bill, type CostBreakdown, deliveryCost, type LineItem, MILLION, type ModelInputs } from './model.js';
import { type PriceKey, type PriceTable, unitPrice } from './prices.js';

/** Seconds in the month AWS bills by (730 hours). */
const SECONDS_PER_MONTH = 730 * 3600;
const HOURS_PER_MONTH = 730;
const GB = 1e9;

/** Per-event quantities measured through the local runtime (bench/cost/footprint.ts). */
interface Footprint {
  readonly source: string;
  /** Function log bytes per event (JSON lines the functions wrote, EMF metrics included), by role. */
  readonly appLogBytesPerEvent: number;
  /** One API access log line (lib/events-api.ts ACCESS_LOG_FORMAT, filled as API Gateway would). */
  readonly accessLogBytesPerRequest: number;
  /** Lambda's platform lines per invocation at system log level INFO (platform.start + platform.report). */
  readonly platformLogBytesPerInvocation: number;
  /** DynamoDB bytes an event leaves stored, weighted by how long each item lives (TTL / month, at most 1). */
  readonly storedByteMonthsPerEvent: number;
  /** Bytes of one webhook POST on the wire out (request line, headers, body; TLS framing not counted). */
  readonly webhookRequestBytes: number;
}

/** Facts from the synthesized template that set fixed monthly costs. */
interface FixedFacts {
  readonly kmsKeys: number;
  /** Metrics across all alarms (a metric-math alarm bills each metric it reads). */
  readonly alarmMetrics: number;
  readonly dashboards: number;
  /** SQS queues with a Lambda event source: polled while idle. */
  readonly polledQueues: number;
  /**
   * Whether the retry lane's queue is among `polledQueues` (its consumer is in the template). When it
   * is not, a variant with the lane adds its idle polling; a variant without drops it when it is.
   * @default false
   */
  readonly retryLaneInTemplate?: boolean;
  /** Capacity holders in provisioned mode (tables + indexes), each at least its minimum. */
  readonly provisionedHolders: number;
  /** Provisioned mode's throttle alarms read reads and writes of each table and writes of each index. */
  readonly throttleAlarmMetrics: number;
  /** Custom metrics Powertools publishes (names × dimension sets). */
  readonly customMetrics: number;
}

/** How Herald is deployed and called in a row of the table. */
interface HeraldVariant {
  readonly label: string;
  /** Lambda authorizer invocations per HTTP request: 1 before issue 21, 0 now (ingest verifies keys). */
  readonly authorizerPerRequest: number;
  /** Events per HTTP request: 1, or 10 with POST /v1/events/batch. */
  readonly eventsPerRequest: number;
  readonly billing: 'on-demand' | 'provisioned';
  /** Consumed / provisioned capacity, provisioned mode only (auto-scaling's target). */
  readonly utilization: number;
  /** Lambda platform lines logged (system log level INFO, before issue 21) or not (WARN). */
  readonly platformLogs: boolean;
  /** Minimum capacity per holder in provisioned mode (lib/capacity.ts). */
  readonly minCapacity?: { readonly read: number; readonly write: number };
  /** Writes per event to take off the counted ones (negative: add back what a lever removed); default 0. */
  readonly writesSaved?: number;
  /**
   * The job and dispatch event sources' batching window, `-c herald:batchingWindowSeconds` (lib/capacity.ts);
   * default none (0).
   */
  readonly batchingWindowSeconds?: number;
  /**
   * Retries 1–3 in the SQS retry lane (issue 19) as `inputs.retryLaneHops` says, or every retry in the
   * workflow (false: the design before the lane). @default true
   */
  readonly retryLane?: boolean;
}

interface MonthlyLine {
  readonly component: string;
  readonly usd: number;
  /** Per-event (scales with traffic) or fixed (per month whatever the traffic). */
  readonly kind: 'variable' | 'fixed';
}

interface MonthlyBill {
  readonly label: string;
  readonly eventsPerMonth: number;
  readonly lines: readonly MonthlyLine[];
  readonly variableUsd: number;
  readonly fixedUsd: number;
  readonly totalUsd: number;
  /** totalUsd per million events (fixed costs included). */
  readonly usdPerMillion: number;
}

/**
 * Assumed: how long a receive by Lambda's SQS pollers gathers messages when the event source has no
 * batching window (Herald's dispatch and job queues): a receive returns as soon as one message is
 * there, so a batch holds that one plus what arrives within about a round trip.
 */
const RECEIVE_GATHER_SECONDS = 0.02;
/**
 * Assumed: ReceiveMessage calls per idle queue per month. Lambda polls a queue with 5 long-polling
 * connections at first (AWS Lambda developer guide, "Using Lambda with Amazon SQS", scaling), each
 * waiting up to 20 s: 5 × 3 a minute × 43,800 minutes.
 */
const IDLE_RECEIVES_PER_QUEUE_MONTH = 5 * 3 * 43_800;
/** DynamoDB refreshes the data key of a table encrypted with a customer managed key about every 5 minutes. */
const KMS_REQUESTS_PER_TABLE_MONTH = 12 * HOURS_PER_MONTH;

/**
 * Assumed: Lambda's pollers per queue at these rates (it starts with 5). Messages that arrive together
 * — the ten of one PublishBatch, fanned out by SNS — are shared among them, so a batch holds about a
 * fifth of such a group. (The local runtime, one poller, measured more: bench/results cost-measured
 * `batchCalls`.)
 */
const POLLERS = 5;

/** Messages in a Lambda SQS batch at `messagesPerSecond` (at most 10, Herald's batch size). */
function effectiveBatch(
  messagesPerSecond: number,
  gatherSeconds = RECEIVE_GATHER_SECONDS,
  arrivingTogether = 1,
): number {
  return Math.min(10, Math.max(1 + messagesPerSecond * gatherSeconds, arrivingTogether / POLLERS));
}

const isDynamoWrite = (key: PriceKey) => key === 'dynamoWriteRequestUnit';
const isDynamoRead = (key: PriceKey) => key === 'dynamoReadRequestUnit';

/** Herald per event at a traffic level: the counted calls with this variant's batches, auth, SQS batches. */
function heraldPerEvent(
  inputs: ModelInputs,
  prices: PriceTable,
  variant: HeraldVariant,
  eventsPerMonth: number,
  failureRate: number,
): CostBreakdown {
  const counted = inputs.counted;
  if (counted === undefined) throw new Error('the monthly model needs counted calls (npm run cost:measure)');
  const priced = variant.retryLane === false ? { ...inputs, retryLaneHops: [] } : inputs;
  const { authorizer, ingest, job, dispatch } = inputs.functions;
  const perRequest = 1 / variant.eventsPerRequest;
  const eventsPerSecond = eventsPerMonth / SECONDS_PER_MONTH;
  const jobMessages = counted.invocations.job ?? 0;
  const dispatchMessages = counted.invocations.dispatch ?? 0;
  // The event's own messages (its job's and its dispatch's) arrive with the rest of its request's
  // events; the follow-ups the job publishes arrive one at a time.
  // A batching window holds the receive open that long (or until 10 are there); none: a round trip.
  const gather = Math.max(variant.batchingWindowSeconds ?? 0, RECEIVE_GATHER_SECONDS);
  const jobBatch = effectiveBatch(eventsPerSecond * jobMessages, gather, variant.eventsPerRequest);
  const ownBatch = effectiveBatch(eventsPerSecond * dispatchMessages, gather, variant.eventsPerRequest);
  const followUpBatch = effectiveBatch(eventsPerSecond * dispatchMessages, gather);
  const ownDispatch = Math.min(1, dispatchMessages);
  const followUpDispatch = dispatchMessages - ownDispatch;
  const dispatchBatches = ownDispatch / ownBatch + followUpDispatch / followUpBatch;
  // The publish of the event itself is batched (PublishBatch, one 64 KB chunk for ten small events);
  // the job's follow-up is published alone.
  const eventPublishes = 1;
  const followUps = Math.max(0, counted.snsPublishes - eventPublishes);
  const bill = new Bill(prices)
    .add('HTTP API requests', 'apiGatewayHttpRequest', perRequest)
    .lambda(
      'authorizer',
      authorizer,
      variant.authorizerPerRequest * perRequest,
      variant.authorizerPerRequest * perRequest,
    )
    .lambda('ingest', ingest, perRequest, 1)
    .add(
      'DynamoDB writes (counted, + gsi1k index writes)',
      'dynamoWriteRequestUnit',
      counted.dynamoWrites + counted.dynamoIndexedWrites - (variant.writesSaved ?? 0),
    )
    .add(
      'DynamoDB reads (counted)',
      'dynamoReadRequestUnit',
      counted.dynamoConsistentReads + counted.dynamoQueries * 0.5,
    )
    .add('SNS publishes: the event', 'snsPublish', eventPublishes * perRequest)
    .add("SNS publishes: the job's follow-up", 'snsPublish', followUps)
    .add(
      'SQS job queue: send + receive and delete per batch',
      'sqsStandardRequest',
      jobMessages * (1 + 2 / jobBatch),
    )
    .lambda('job', job, jobMessages / jobBatch, jobMessages)
    .add(
      'SQS dispatch queue: send + receive and delete per batch',
      'sqsStandardRequest',
      dispatchMessages + 2 * dispatchBatches,
    )
    .lambda('dispatch', dispatch, dispatchBatches, dispatchMessages);
  bill.merge(
    deliveryCost(priced, prices, 'herald-fast-path', failureRate),
    inputs.deliveriesPerEvent,
    'delivery: ',
  );
  return bill.done();
}

/** Lambda invocations per event in a breakdown (for the platform log lines). */
const invocationsIn = (breakdown: CostBreakdown): number =>
  breakdown.items.filter((i) => i.price === 'lambdaRequest').reduce((s, i) => s + i.quantityPerMillion, 0) /
  MILLION;

/** Retries per event (each one more POST on the wire): the workflow's and the retry lane's attempts. */
const retriesIn = (breakdown: CostBreakdown): number =>
  breakdown.items
    .filter(
      (i) =>
        i.component === 'delivery: attempt function invocations' ||
        i.component === 'delivery: retry lane (attempts) invocations',
    )
    .reduce((s, i) => s + i.quantityPerMillion, 0) / MILLION;

/** Whether a variant's deliveries use the retry lane (so its queue is polled). */
const usesLane = (inputs: ModelInputs, variant: HeraldVariant): boolean =>
  variant.retryLane !== false && (inputs.retryLaneHops?.length ?? 0) > 0;

function priced(prices: PriceTable, key: PriceKey, quantity: number): number {
  return quantity * unitPrice(prices, key);
}

/** A month of Herald at `eventsPerMonth`, `failureRate` first-attempt failures. */
function heraldMonthly(
  inputs: ModelInputs,
  prices: PriceTable,
  footprint: Footprint,
  fixed: FixedFacts,
  variant: HeraldVariant,
  eventsPerMonth: number,
  failureRate: number,
): MonthlyBill {
  const perEvent = heraldPerEvent(inputs, prices, variant, eventsPerMonth, failureRate);
  const n = eventsPerMonth;
  const lines: MonthlyLine[] = [];
  const add = (component: string, usd: number, kind: MonthlyLine['kind'] = 'variable') => {
    if (usd !== 0) lines.push({ component, usd, kind });
  };
  // Requests, invocations, durations, transitions: per event. DynamoDB requests priced by billing mode.
  let writeUnits = 0;
  let readUnits = 0;
  for (const item of perEvent.items) {
    if (variant.billing === 'provisioned' && isDynamoWrite(item.price))
      writeUnits += item.quantityPerMillion / MILLION;
    else if (variant.billing === 'provisioned' && isDynamoRead(item.price))
      readUnits += item.quantityPerMillion / MILLION;
    else add(item.component, (item.usdPerMillion * n) / MILLION);
  }
  if (variant.billing === 'provisioned') {
    // Capacity = demand / utilisation, never below the holders' minimum (auto-scaling's floor).
    const u = variant.utilization;
    const min = variant.minCapacity ?? { read: 5, write: 5 };
    const demandWcuHours = (writeUnits * n) / 3600 / u;
    const demandRcuHours = (readUnits * n) / 3600 / u;
    const floorWcuHours = fixed.provisionedHolders * min.write * HOURS_PER_MONTH;
    const floorRcuHours = fixed.provisionedHolders * min.read * HOURS_PER_MONTH;
    add(
      `DynamoDB provisioned writes at ${Math.round(u * 100)} % utilisation`,
      priced(prices, 'dynamoWcuHour', demandWcuHours),
    );
    add(
      `DynamoDB provisioned reads at ${Math.round(u * 100)} % utilisation`,
      priced(prices, 'dynamoRcuHour', demandRcuHours),
    );
    add(
      'CloudWatch throttle alarms (provisioned mode)',
      priced(prices, 'cloudwatchAlarmMetric', fixed.throttleAlarmMetrics),
      'fixed',
    );
    add(
      'DynamoDB provisioned minimum capacity not used by traffic',
      priced(prices, 'dynamoWcuHour', Math.max(0, floorWcuHours - demandWcuHours)) +
        priced(prices, 'dynamoRcuHour', Math.max(0, floorRcuHours - demandRcuHours)),
      'fixed',
    );
  }
  // What the per-event model left out.
  const storedGbMonths = (n * footprint.storedByteMonthsPerEvent) / GB;
  add('DynamoDB storage (items over their TTL)', priced(prices, 'dynamoStorageGbMonth', storedGbMonths));
  add('DynamoDB point-in-time recovery', priced(prices, 'dynamoPitrGbMonth', storedGbMonths));
  const invocations = invocationsIn(perEvent);
  const logBytes =
    footprint.appLogBytesPerEvent +
    footprint.accessLogBytesPerRequest / variant.eventsPerRequest +
    (variant.platformLogs ? footprint.platformLogBytesPerInvocation * invocations : 0);
  add(
    `CloudWatch Logs ingestion (${Math.round(logBytes)} bytes per event)`,
    priced(prices, 'logsIngestGb', (n * logBytes) / GB),
  );
  add(
    'CloudWatch Logs storage (one month retention)',
    priced(prices, 'logsStorageGbMonth', (n * logBytes) / GB),
  );
  const posts = inputs.deliveriesPerEvent + retriesIn(perEvent);
  add(
    'data transfer out (webhook POSTs)',
    priced(prices, 'dataTransferOutGb', (n * posts * footprint.webhookRequestBytes) / GB),
  );
  const polledQueues =
    fixed.polledQueues - (fixed.retryLaneInTemplate ? 1 : 0) + (usesLane(inputs, variant) ? 1 : 0);
  add(
    `SQS idle polling (empty receives, ${polledQueues} queues)`,
    priced(prices, 'sqsStandardRequest', polledQueues * IDLE_RECEIVES_PER_QUEUE_MONTH),
    'fixed',
  );
  add('KMS keys', priced(prices, 'kmsKeyMonth', fixed.kmsKeys), 'fixed');
  add(
    'KMS requests by DynamoDB (table data keys)',
    priced(prices, 'kmsRequest', 2 * KMS_REQUESTS_PER_TABLE_MONTH),
    'fixed',
  );
  add('CloudWatch alarms', priced(prices, 'cloudwatchAlarmMetric', fixed.alarmMetrics), 'fixed');
  add('CloudWatch dashboard', priced(prices, 'cloudwatchDashboard', fixed.dashboards), 'fixed');
  add('CloudWatch custom metrics', priced(prices, 'cloudwatchCustomMetric', fixed.customMetrics), 'fixed');
  return total(variant.label, n, lines);
}

function total(label: string, eventsPerMonth: number, lines: MonthlyLine[]): MonthlyBill {
  const variableUsd = lines.filter((l) => l.kind === 'variable').reduce((s, l) => s + l.usd, 0);
  const fixedUsd = lines.filter((l) => l.kind === 'fixed').reduce((s, l) => s + l.usd, 0);
  const totalUsd = variableUsd + fixedUsd;
  return {
    label,
    eventsPerMonth,
    lines,
    variableUsd,
    fixedUsd,
    totalUsd,
    usdPerMillion: (totalUsd / eventsPerMonth) * MILLION,
  };
}

/**
 * The same work with EventBridge: the HTTP API, its authorizer and an ingest function calling
 * PutEvents; a rule invoking the job function (asynchronously) with the job's writes and its follow-up
 * PutEvents; the deliveries by API destinations (one invocation per attempt, retries as Herald's).
 * Its logs and data transfer like Herald's; no tables of its own beyond the job's.
 */
function eventBridgeMonthly(
  inputs: ModelInputs,
  prices: PriceTable,
  footprint: Footprint,
  eventsPerMonth: number,
  failureRate: number,
  alarmMetrics: number,
): MonthlyBill {
  const { authorizer, ingest, job } = inputs.functions;
  const delivery = deliveryCost(inputs, prices, 'eventbridge-api-destinations', failureRate);
  const perEvent = new Bill(prices)
    .add('HTTP API requests', 'apiGatewayHttpRequest', 1)
    .lambda('authorizer', authorizer, 1, 1)
    .lambda('ingest', ingest, 1, 1)
    .add('PutEvents: the event and the job follow-up', 'eventBridgeCustomEvent', 2)
    .lambda('job (rule target, async invoke)', job, 1, 1)
    // Powertools in progress + completed, the invoice: the job's own writes, as in Herald.
    .add("DynamoDB writes: the job's idempotency record and effect", 'dynamoWriteRequestUnit', 3)
    .add(
      'API destination invocations (one per attempt)',
      'eventBridgeApiDestinationInvocation',
      1 + retriesOf(delivery),
    )
    .done();
  const n = eventsPerMonth;
  const lines: MonthlyLine[] = perEvent.items.map((i) => ({
    component: i.component,
    usd: (i.usdPerMillion * n) / MILLION,
    kind: 'variable',
  }));
  // Only the job's items stay (no event or delivery records): about a third of Herald's stored bytes.
  const storedGbMonths = (n * footprint.storedByteMonthsPerEvent) / 3 / GB;
  lines.push({
    component: "DynamoDB storage + PITR (the job's items)",
    usd:
      priced(prices, 'dynamoStorageGbMonth', storedGbMonths) +
      priced(prices, 'dynamoPitrGbMonth', storedGbMonths),
    kind: 'variable',
  });
  const logBytes = footprint.appLogBytesPerEvent / 2 + footprint.accessLogBytesPerRequest;
  lines.push({
    component: `CloudWatch Logs (${Math.round(logBytes)} bytes per event)`,
    usd:
      priced(prices, 'logsIngestGb', (n * logBytes) / GB) +
      priced(prices, 'logsStorageGbMonth', (n * logBytes) / GB),
    kind: 'variable',
  });
  const posts = 1 + retriesOf(delivery);
  lines.push({
    component: 'data transfer out (webhook POSTs)',
    usd: priced(prices, 'dataTransferOutGb', (n * posts * footprint.webhookRequestBytes) / GB),
    kind: 'variable',
  });
  lines.push({
    component: 'CloudWatch alarms',
    usd: priced(prices, 'cloudwatchAlarmMetric', alarmMetrics),
    kind: 'fixed',
  });
  return total('EventBridge API destinations', n, lines);
}

const retriesOf = (delivery: CostBreakdown): number =>
  delivery.items
    .filter((i) => i.price === 'eventBridgeApiDestinationInvocation')
    .reduce((s, i) => s + i.quantityPerMillion, 0) /
    MILLION -
  1;

/** Assumed size of a self-hosted Svix (issue 21): one small instance, managed Postgres, Redis. */
interface SvixShape {
  readonly multiAz: boolean;
  /** Events a month one t4g.small is assumed to carry (not measured here). */
  readonly eventsPerInstanceMonth: number;
  readonly instanceVolumeGb: number;
}

const SVIX_SHAPE: SvixShape = { multiAz: false, eventsPerInstanceMonth: 100_000_000, instanceVolumeGb: 20 };

/**
 * A self-hosted Svix server for the webhooks (its API takes the events): instances behind an ALB,
 * RDS PostgreSQL and ElastiCache Redis. Multi-AZ doubles the instances, the database (a standby) and
 * the cache (a replica). Postgres holds what Herald's tables hold, for the same 30 days, with room
 * to spare (gp3 provisioned at twice the data). No background jobs: that part of the workload is
 * not in this row.
 */
function svixMonthly(
  prices: PriceTable,
  footprint: Footprint,
  eventsPerMonth: number,
  shape: SvixShape,
): MonthlyBill {
  const az = shape.multiAz ? 2 : 1;
  const instances = az * Math.max(1, Math.ceil(eventsPerMonth / shape.eventsPerInstanceMonth));
  const lines: MonthlyLine[] = [];
  const fixed = (component: string, usd: number) => lines.push({ component, usd, kind: 'fixed' });
  fixed(
    `EC2 t4g.small × ${instances} + ${shape.instanceVolumeGb} GB gp3 each`,
    priced(prices, 'ec2T4gSmallHour', instances * HOURS_PER_MONTH) +
      priced(prices, 'ebsGp3GbMonth', instances * shape.instanceVolumeGb),
  );
  fixed(
    `RDS PostgreSQL db.t4g.small${shape.multiAz ? ', multi-AZ' : ''}`,
    priced(prices, 'rdsPostgresT4gSmallHour', az * HOURS_PER_MONTH),
  );
  fixed(
    `ElastiCache cache.t4g.micro × ${az}`,
    priced(prices, 'elasticacheT4gMicroHour', az * HOURS_PER_MONTH),
  );
  fixed(
    'Application Load Balancer (1 LCU) + 2 public IPv4',
    priced(prices, 'albHour', HOURS_PER_MONTH) +
      priced(prices, 'albLcuHour', HOURS_PER_MONTH) +
      priced(prices, 'publicIpv4Hour', 2 * HOURS_PER_MONTH),
  );
  const dataGbMonths = Math.max(20, (2 * eventsPerMonth * footprint.storedByteMonthsPerEvent) / GB);
  lines.push({
    component: 'RDS storage (gp3, twice the data, at least 20 GB)',
    usd: priced(prices, 'rdsGp3GbMonth', az * dataGbMonths),
    kind: 'variable',
  });
  lines.push({
    component: 'data transfer out (webhook POSTs)',
    usd: priced(prices, 'dataTransferOutGb', (eventsPerMonth * footprint.webhookRequestBytes) / GB),
    kind: 'variable',
  });
  return total(`Svix self-hosted, ${shape.multiAz ? 'multi-AZ' : 'single-AZ'}`, eventsPerMonth, lines);
}

export type { FixedFacts, Footprint, HeraldVariant, LineItem, MonthlyBill, MonthlyLine, SvixShape };
export {
  effectiveBatch,
  eventBridgeMonthly,
  heraldMonthly,
  heraldPerEvent,
  IDLE_RECEIVES_PER_QUEUE_MONTH,
  POLLERS,
  RECEIVE_GATHER_SECONDS,
  SECONDS_PER_MONTH,
  SVIX_SHAPE,
  svixMonthly,
};
