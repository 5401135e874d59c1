/**
 * The cost model, pure arithmetic: quantities of each billed unit per event or per webhook delivery,
 * priced from the dated table. Every figure is "per million" of the thing named.
 */

import { type PriceKey, type PriceTable, unitPrice } from './prices.js';

interface FunctionProfile {
  readonly memoryMb: number;
  /**
   * Milliseconds per message handled with a full vCPU (a batch of 10 at 60 ms each bills 600 ms): the
   * local runtime's wall time, where a function's thread gets about one core.
   */
  readonly durationMs: number;
  /**
   * Of `durationMs`, the CPU time. Lambda gives a function `memoryMb / 1769` of a vCPU below 1769 MB,
   * so that part takes `1769 / memoryMb` times as long there; waiting (on DynamoDB, SNS, the receiver)
   * does not. @default 0
   */
  readonly cpuMs?: number;
  /** @default 'arm64' (Herald's functions are arm64; x86_64 is priced higher) */
  readonly architecture?: 'arm64' | 'x86_64';
}

type FunctionName = 'authorizer' | 'ingest' | 'job' | 'dispatch' | 'attempt';

/**
 * Requests per event counted at the emulators by the benchmark (bench/herald/calls.ts, one event at a
 * time through the local runtime, first-time delivery to one endpoint). When present they replace the
 * model's own guesses for the event's DynamoDB, SNS and Lambda requests and its first attempt.
 */
interface CountedPerEvent {
  /** Where the counts come from (file and scenario). */
  readonly source: string;
  /** PutItem + UpdateItem + DeleteItem. */
  readonly dynamoWrites: number;
  /**
   * Writes that also write the list index gsi1k (+1 WRU each): a put of an item with gsi1 keys (every
   * recorded event; a delivery claim has none since issue 21). It projects keys and `type` only
   * (lib/tables.ts), so updates that change neither do not write it.
   */
  readonly dynamoIndexedWrites: number;
  /** GetItem (Herald reads keys, events and endpoints strongly consistent: 1 RRU). */
  readonly dynamoConsistentReads: number;
  /** Query (gsi1, eventually consistent: 0.5 RRU per page under 4 KB). */
  readonly dynamoQueries: number;
  readonly snsPublishes: number;
  /** Lambda invocations per event by role; SQS consumers (job, dispatch) count messages (batch of 1). */
  readonly invocations: Readonly<Partial<Record<FunctionName, number>>>;
}

interface ModelInputs {
  readonly functions: Readonly<Record<FunctionName, FunctionProfile>>;
  /** Wall time of one webhook POST, billed inside whichever function makes it. */
  readonly webhookPostMs: number;
  /** Wall time of one StartExecution call from dispatch. */
  readonly startExecutionMs: number;
  /** Job subscriptions an average event matches. */
  readonly jobsPerEvent: number;
  /** Webhook deliveries an average event fans out to (matching endpoints). */
  readonly deliveriesPerEvent: number;
  /** Messages per Lambda SQS batch (receive + delete are one request each per batch). */
  readonly sqsBatchSize: number;
  /** Retry attempts after the first (the schedule's length). */
  readonly retryAttempts: number;
  /** Chance that any one retry attempt succeeds (endpoints mostly recover). */
  readonly retrySuccessRate: number;
  /** Counted requests per event; absent: the model's own per-event quantities. */
  readonly counted?: CountedPerEvent;
  /**
   * KMS calls per delivery to open signing secrets, with the per-container data-key cache (measured by
   * bench/cost/kms.ts at the local key service). @default 0
   */
  readonly kmsCallsPerDelivery?: number;
  /**
   * The retries the SQS retry lane serves (issue 19), in schedule order from retry 1: the SQS hops each
   * takes on average over its jitter (one per 15 min of wait, SQS's longest delay; the last hop is the
   * one that finds it due). The retries after them run in the Standard workflow as before. Absent or
   * empty: every retry in the workflow, the design before the lane (inputs.ts `retryLaneHops`).
   */
  readonly retryLaneHops?: readonly number[];
}

/** How webhook deliveries are made. */
type DeliveryDesign = 'herald-fast-path' | 'step-functions-every-delivery' | 'eventbridge-api-destinations';

interface LineItem {
  readonly component: string;
  readonly price: PriceKey;
  /** Billed units per million events or deliveries. */
  readonly quantityPerMillion: number;
  readonly usdPerMillion: number;
}

interface CostBreakdown {
  readonly items: readonly LineItem[];
  readonly totalUsdPerMillion: number;
}

const MILLION = 1_000_000;

/**
 * Messages per retry-lane batch. A lane message becomes due alone (its delay is jittered per delivery),
 * so each hop is a receive, a delete and an invocation of its own at any traffic this model prices
 * (monthly.ts: a batch holds more than one only at tens of messages a second due together).
 */
const LANE_MESSAGES_PER_BATCH = 1;
/** Assumed: wall time of one SQS SendMessage from Lambda in the region (the SDK's ~0.7 ms CPU and a round trip). */
const SQS_SEND_MS = 10;
/**
 * A lane message received before it is due: the consumer only re-sends it with the remaining delay —
 * one SendMessage and about a millisecond of CPU to parse it (assumed).
 */
const LANE_RESEND_CPU_MS = 1;

/** Expected retry attempts and terminal outcome for a delivery whose first attempt failed. */
function retryExpectation(inputs: Pick<ModelInputs, 'retryAttempts' | 'retrySuccessRate'>): {
  attempts: number;
  exhaustedProbability: number;
} {
  const fail = 1 - inputs.retrySuccessRate;
  // Attempt k happens when the k-1 before it failed: sum of fail^(k-1) for k = 1..N.
  let attempts = 0;
  for (let k = 1; k <= inputs.retryAttempts; k++) attempts += fail ** (k - 1);
  return { attempts, exhaustedProbability: fail ** inputs.retryAttempts };
}

/**
 * Where a failed delivery's retries run, as expectations per failed delivery: the leading retries in
 * the SQS retry lane (no transitions), the rest in the Standard workflow (3 transitions a retry and
 * its end state). Retry k happens when the k−1 before it failed: (1 − p)^(k−1).
 */
function retryPlan(inputs: Pick<ModelInputs, 'retryAttempts' | 'retrySuccessRate' | 'retryLaneHops'>): {
  /** Attempts made by the lane's consumer. */
  laneAttempts: number;
  /** SQS hops through the lane (each a send, a receive, a delete), the attempts' own hops included. */
  laneHops: number;
  /** Attempts made by the workflow's attempt function. */
  workflowAttempts: number;
  /** Failed deliveries that reach the workflow (start an execution). */
  workflowStarted: number;
  exhaustedProbability: number;
} {
  const fail = 1 - inputs.retrySuccessRate;
  const laneRetries = Math.min(inputs.retryLaneHops?.length ?? 0, inputs.retryAttempts);
  let laneAttempts = 0;
  let laneHops = 0;
  let workflowAttempts = 0;
  for (let k = 1; k <= inputs.retryAttempts; k++) {
    const reached = fail ** (k - 1);
    if (k <= laneRetries) {
      laneAttempts += reached;
      laneHops += reached * (inputs.retryLaneHops?.[k - 1] ?? 1);
    } else workflowAttempts += reached;
  }
  return {
    laneAttempts,
    laneHops,
    workflowAttempts,
    workflowStarted: laneRetries < inputs.retryAttempts ? fail ** laneRetries : 0,
    exhaustedProbability: fail ** inputs.retryAttempts,
  };
}

/** Memory at which Lambda gives a function one full vCPU (its share is proportional below). */
const FULL_VCPU_MB = 1769;

/** Lambda milliseconds per message: the waits as measured, the CPU part slowed by the vCPU share. */
function billedMs(profile: FunctionProfile): number {
  const cpu = profile.cpuMs ?? 0;
  return profile.durationMs + cpu * (Math.max(1, FULL_VCPU_MB / profile.memoryMb) - 1);
}

/** Builds line items from per-unit quantities, pricing and scaling them to a million. */
class Bill {
  private readonly items: LineItem[] = [];
  constructor(private readonly prices: PriceTable) {}

  add(component: string, price: PriceKey, quantityPerUnit: number): this {
    if (quantityPerUnit === 0) return this;
    const quantityPerMillion = quantityPerUnit * MILLION;
    this.items.push({
      component,
      price,
      quantityPerMillion,
      usdPerMillion: quantityPerMillion * unitPrice(this.prices, price),
    });
    return this;
  }

  lambda(
    component: string,
    profile: FunctionProfile,
    invocations: number,
    messages: number,
    extraMs = 0,
  ): this {
    const gbSeconds = (profile.memoryMb / 1024) * ((billedMs(profile) + extraMs) / 1000) * messages;
    const rate = profile.architecture === 'x86_64' ? 'lambdaX86GbSecond' : 'lambdaArmGbSecond';
    return this.add(`${component} invocations`, 'lambdaRequest', invocations).add(
      `${component} duration`,
      rate,
      gbSeconds,
    );
  }

  /** An SQS hop consumed by Lambda: one send, then receive and delete per batch. */
  sqsHop(component: string, batchSize: number, messages: number): this {
    return this.add(`${component} queue requests`, 'sqsStandardRequest', messages * (1 + 2 / batchSize));
  }

  merge(other: CostBreakdown, times: number, prefix: string): this {
    for (const item of other.items) {
      this.items.push({
        component: `${prefix}${item.component}`,
        price: item.price,
        quantityPerMillion: item.quantityPerMillion * times,
        usdPerMillion: item.usdPerMillion * times,
      });
    }
    return this;
  }

  done(): CostBreakdown {
    const totalUsdPerMillion = this.items.reduce((sum, item) => sum + item.usdPerMillion, 0);
    return { items: [...this.items], totalUsdPerMillion };
  }
}

// DynamoDB units per operation, items under 1 KB: a write is 1 WRU, an eventually consistent read 0.5 RRU.
const WRITE = 1;
const READ = 0.5;

/** One webhook delivery, first-attempt failure rate `failureRate` (0..1). */
function deliveryCost(
  inputs: ModelInputs,
  prices: PriceTable,
  design: DeliveryDesign,
  failureRate: number,
): CostBreakdown {
  const bill = new Bill(prices);
  const retry = retryExpectation(inputs);
  const retries = failureRate * retry.attempts;
  const exhausted = failureRate * retry.exhaustedProbability;
  const { dispatch, attempt } = inputs.functions;
  // Retry loop: Wait → AttemptDelivery → IsDelivered per attempt; Succeed, or SendToWebhookDlq → Fail.
  const retryTransitions = 3 * retries + (failureRate - exhausted) * 1 + exhausted * 2;
  // Herald's retries: the lane's, then the workflow's (the same loop, entered at the first long wait).
  const plan = retryPlan(inputs);
  const laneAttempts = failureRate * plan.laneAttempts;
  const laneHops = failureRate * plan.laneHops;
  const workflowAttempts = failureRate * plan.workflowAttempts;
  const workflowStarted = failureRate * plan.workflowStarted;
  const heraldTransitions =
    workflowStarted > 0 ? 3 * workflowAttempts + (workflowStarted - exhausted) * 1 + exhausted * 2 : 0;
  const waiting = { ...dispatch, durationMs: 0, cpuMs: 0 };
  const perAttemptRecords = (attempts: number): void => {
    bill.add('attempt log + delivery state', 'dynamoWriteRequestUnit', attempts * 2 * WRITE);
    bill.add('endpoint + delivery reads', 'dynamoReadRequestUnit', attempts * 2 * READ);
  };

  switch (design) {
    case 'herald-fast-path': {
      // Dispatch claims the delivery and makes the first POST itself; only failures start a workflow.
      // Dispatch's own per-message time is in eventCost; a delivery adds the POST it waits for.
      // Waiting only: the POST's and StartExecution's time is not CPU (dispatch's CPU is in eventCost).
      bill.lambda(
        'dispatch (first POST)',
        { ...dispatch, durationMs: 0, cpuMs: 0 },
        0,
        1,
        inputs.webhookPostMs,
      );
      if (laneHops > 0) {
        // The first retry goes to the lane (a SendMessage); a hop not yet due is re-sent with the rest
        // of its wait; a due hop makes the attempt as the workflow's attempt function would, then sends
        // the next retry to the lane, or starts the workflow when the next wait is longer.
        bill.lambda('dispatch (send to the retry lane)', waiting, 0, failureRate, SQS_SEND_MS);
        bill.add(
          'retry lane queue requests (send, receive, delete a hop)',
          'sqsStandardRequest',
          laneHops * (1 + 2 / LANE_MESSAGES_PER_BATCH),
        );
        bill.lambda(
          'retry lane (attempts)',
          attempt,
          laneAttempts / LANE_MESSAGES_PER_BATCH,
          laneAttempts,
          inputs.webhookPostMs,
        );
        bill.lambda(
          'retry lane (not yet due: re-sent)',
          { ...attempt, durationMs: SQS_SEND_MS + LANE_RESEND_CPU_MS, cpuMs: LANE_RESEND_CPU_MS },
          (laneHops - laneAttempts) / LANE_MESSAGES_PER_BATCH,
          laneHops - laneAttempts,
        );
        // Waits inside the attempts' invocations (no invocations of their own).
        bill.lambda(
          'retry lane (send the next retry, or start the workflow)',
          { ...waiting, memoryMb: attempt.memoryMb },
          0,
          1,
          (laneAttempts - failureRate) * SQS_SEND_MS + workflowStarted * inputs.startExecutionMs,
        );
      } else {
        bill.lambda('dispatch (start workflow)', waiting, 0, failureRate, inputs.startExecutionMs);
      }
      // With counted calls the delivery's one write (claimed in the event record, adrs/0014; attempt 1
      // folded in) is in the event's counted writes.
      if (inputs.counted === undefined) {
        bill.add(
          'delivery written with attempt 1 (claimed in the event record)',
          'dynamoWriteRequestUnit',
          WRITE,
        );
      }
      bill.add('retry workflow transitions', 'stepFunctionsStandardTransition', heraldTransitions);
      bill.lambda('attempt function', attempt, workflowAttempts, workflowAttempts, inputs.webhookPostMs);
      // Every retry, in the lane or the workflow, reads and writes the same records.
      perAttemptRecords(retries);
      bill.add('webhook DLQ send', 'sqsStandardRequest', exhausted);
      bill.add('signing-secret data keys (KMS Decrypt)', 'kmsRequest', inputs.kmsCallsPerDelivery ?? 0);
      break;
    }
    case 'step-functions-every-delivery': {
      // Dispatch only claims and starts a workflow; the workflow makes every attempt.
      bill.lambda(
        'dispatch (start workflow)',
        { ...dispatch, durationMs: 0, cpuMs: 0 },
        0,
        1,
        inputs.startExecutionMs,
      );
      bill.add('delivery claim', 'dynamoWriteRequestUnit', WRITE);
      bill.add(
        'workflow transitions',
        'stepFunctionsStandardTransition',
        2 + retryTransitions + (1 - failureRate),
      );
      bill.lambda('attempt function', attempt, 1 + retries, 1 + retries, inputs.webhookPostMs);
      perAttemptRecords(1 + retries);
      bill.add('webhook DLQ send', 'sqsStandardRequest', exhausted);
      bill.add('signing-secret data keys (KMS Decrypt)', 'kmsRequest', inputs.kmsCallsPerDelivery ?? 0);
      break;
    }
    case 'eventbridge-api-destinations': {
      // No code and no records: EventBridge POSTs and retries (each attempt is an invocation). It cannot
      // sign with Standard Webhooks (only Basic, API key or OAuth), and keeps no per-attempt log.
      bill.add('event on the bus', 'eventBridgeCustomEvent', 1 / inputs.deliveriesPerEvent);
      bill.add('API destination invocations', 'eventBridgeApiDestinationInvocation', 1 + retries);
      break;
    }
  }
  return bill.done();
}

/** One event from counted requests: HTTP in, the counted calls, SQS hops, and its deliveries' retries. */
function countedEventCost(
  inputs: ModelInputs,
  prices: PriceTable,
  failureRate: number,
  counted: CountedPerEvent,
): CostBreakdown {
  const { authorizer, ingest, job, dispatch } = inputs.functions;
  const b = inputs.sqsBatchSize;
  const n = (role: FunctionName) => counted.invocations[role] ?? 0;
  // Every publish fans out to the dispatch queue, and to the job queues whose filter matches.
  const jobMessages = n('job');
  const dispatchMessages = n('dispatch');
  const bill = new Bill(prices)
    .add('POST /v1/events', 'apiGatewayHttpRequest', 1)
    .lambda('authorizer', authorizer, n('authorizer'), n('authorizer'))
    .lambda('ingest', ingest, n('ingest'), n('ingest'))
    .add('DynamoDB writes (counted)', 'dynamoWriteRequestUnit', counted.dynamoWrites * WRITE)
    .add(
      'DynamoDB index writes (gsi1k: events recorded)',
      'dynamoWriteRequestUnit',
      counted.dynamoIndexedWrites * WRITE,
    )
    .add(
      'DynamoDB consistent reads (counted)',
      'dynamoReadRequestUnit',
      counted.dynamoConsistentReads * 2 * READ,
    )
    .add('DynamoDB queries (counted)', 'dynamoReadRequestUnit', counted.dynamoQueries * READ)
    .add('SNS publishes (counted)', 'snsPublish', counted.snsPublishes)
    .add('SNS → SQS deliveries', 'snsToSqsDelivery', jobMessages + dispatchMessages)
    .sqsHop('job', b, jobMessages)
    .lambda('job', job, jobMessages / b, jobMessages)
    .sqsHop('dispatch', b, dispatchMessages)
    .lambda('dispatch', dispatch, dispatchMessages / b, dispatchMessages);
  bill.merge(
    deliveryCost(inputs, prices, 'herald-fast-path', failureRate),
    inputs.deliveriesPerEvent,
    'delivery: ',
  );
  return bill.done();
}

/** One event through Herald: HTTP in, jobs, dispatch, and its webhook deliveries (fast path). */
function eventCost(inputs: ModelInputs, prices: PriceTable, failureRate: number): CostBreakdown {
  if (inputs.counted !== undefined) return countedEventCost(inputs, prices, failureRate, inputs.counted);
  const { authorizer, ingest, job, dispatch } = inputs.functions;
  const b = inputs.sqsBatchSize;
  const bill = new Bill(prices)
    .add('POST /v1/events', 'apiGatewayHttpRequest', 1)
    .lambda('authorizer', authorizer, 1, 1)
    .add('API key read', 'dynamoReadRequestUnit', READ)
    .lambda('ingest', ingest, 1, 1)
    .add('idempotency record (put + complete) + event item', 'dynamoWriteRequestUnit', 3 * WRITE)
    .add('SNS publish', 'snsPublish', 1)
    .add('SNS → SQS deliveries', 'snsToSqsDelivery', inputs.jobsPerEvent + 1)
    .sqsHop('job', b, inputs.jobsPerEvent)
    .lambda('job', job, inputs.jobsPerEvent / b, inputs.jobsPerEvent)
    .add('job idempotency + effect', 'dynamoWriteRequestUnit', inputs.jobsPerEvent * 3 * WRITE)
    .sqsHop('dispatch', b, 1)
    .lambda('dispatch', dispatch, 1 / b, 1)
    .add('endpoints of (tenant, type)', 'dynamoReadRequestUnit', READ);
  bill.merge(
    deliveryCost(inputs, prices, 'herald-fast-path', failureRate),
    inputs.deliveriesPerEvent,
    'delivery: ',
  );
  return bill.done();
}

export type {
  CostBreakdown,
  CountedPerEvent,
  DeliveryDesign,
  FunctionName,
  FunctionProfile,
  LineItem,
  ModelInputs,
};
export { Bill, billedMs, deliveryCost, eventCost, FULL_VCPU_MB, MILLION, retryExpectation, retryPlan };
